from config.errors import NotFoundError, ValidationFailed


class EndpointNotFound(NotFoundError):
    code = "WEBHOOK_ENDPOINT_NOT_FOUND"


class DeliveryNotFound(NotFoundError):
    code = "WEBHOOK_DELIVERY_NOT_FOUND"


class UrlRefused(ValidationFailed):
    """The URL is not one deliveries may go to (scheme, credentials, or an address in a private range)."""

    code = "WEBHOOK_URL_REFUSED"

"""Error codes of the workflows app. Services raise these; every surface renders them as a clear 4xx."""

from rest_framework import status

from config.errors import ApplicationError, ConflictError, NotFoundError, ValidationFailed


class DuplicateReference(ApplicationError):
    """A subject record reference is already used in the workspace (or twice in one request)."""

    code = "DUPLICATE_REFERENCE"
    http_status = status.HTTP_400_BAD_REQUEST


class InvalidToken(ApplicationError):
    """A public action token that is unknown, expired or already used up."""

    code = "INVALID_TOKEN"
    http_status = status.HTTP_401_UNAUTHORIZED


class PublicActionValidationError(ValidationFailed):
    code = "VALIDATION_ERROR"


class PublicActionStateError(ConflictError):
    code = "PUBLIC_ACTION_STATE"


class WorkflowNotFound(NotFoundError):
    code = "WORKFLOW_NOT_FOUND"


class FormVersionNotFound(NotFoundError):
    code = "FORM_VERSION_NOT_FOUND"

"""Reads of webhook endpoints and their delivery log, always within the acting workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from webhooks.errors import DeliveryNotFound, EndpointNotFound
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from workspaces.models import Workspace


def webhook_endpoint_list(*, workspace: Workspace) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(workspace=workspace).order_by("-id")


def webhook_endpoint_get(*, workspace: Workspace, public_id: str) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(workspace=workspace, public_id=public_id).first()
    if endpoint is None:
        raise EndpointNotFound("No such webhook endpoint in this workspace.", details={"endpointId": public_id})
    return endpoint


def webhook_delivery_get(*, workspace: Workspace, public_id: str) -> WebhookDelivery:
    delivery = (
        WebhookDelivery.objects.select_related("event", "endpoint")
        .filter(endpoint__workspace=workspace, public_id=public_id)
        .first()
    )
    if delivery is None:
        raise DeliveryNotFound("No such webhook delivery in this workspace.", details={"deliveryId": public_id})
    return delivery


def webhook_delivery_list(
    *, endpoint: WebhookEndpoint, status: str | None = None, before_id: int | None = None
) -> QuerySet[WebhookDelivery]:
    """Newest first; ``before_id`` is the previous page's last ``cursor``."""
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-id")
    if status:
        deliveries = deliveries.filter(status=status)
    if before_id:
        deliveries = deliveries.filter(pk__lt=before_id)
    return deliveries


def webhook_attempt_list(*, endpoint: WebhookEndpoint, before_id: int | None = None) -> QuerySet[WebhookAttempt]:
    """The delivery log, newest attempt first."""
    attempts = WebhookAttempt.objects.filter(endpoint=endpoint).select_related("delivery__event").order_by("-id")
    if before_id:
        attempts = attempts.filter(pk__lt=before_id)
    return attempts

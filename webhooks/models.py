"""Webhook endpoints, the outbox of events, each event's delivery to each endpoint, and the log of attempts."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from config.ids import new_public_id
from webhooks.constants import (
    DELIVERY_ID_PREFIX,
    DESCRIPTION_MAX_LENGTH,
    ENDPOINT_ID_PREFIX,
    EVENT_ID_PREFIX,
    URL_MAX_LENGTH,
    DeliveryStatus,
)
from workspaces.models import Workspace


def endpoint_id() -> str:
    return new_public_id(ENDPOINT_ID_PREFIX)


def event_id() -> str:
    return new_public_id(EVENT_ID_PREFIX)


def delivery_id() -> str:
    return new_public_id(DELIVERY_ID_PREFIX)


class WebhookEndpoint(models.Model):
    """A workspace's receiver: its URL, the event types it subscribed to, and the secret deliveries are signed with.

    The secret must be stored as it is (the server signs with it); it is shown to the workspace once, when made.
    During a rotation's overlap the previous secret signs too (``previous_secret_expires_at``).
    """

    public_id = models.CharField(max_length=25, unique=True, default=endpoint_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField("URL", max_length=URL_MAX_LENGTH)
    description = models.CharField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    event_types = models.JSONField(default=list, help_text="The event types delivered to this endpoint.")
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField("active", default=True)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    failing_since = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="The first failed attempt since the last success."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """The outbox: one row per event, written in the transaction of the change, with the payload as it was then.

    Only written when an active endpoint of the workspace subscribed to its type; ``public_id`` is the
    ``webhook-id`` receivers de-duplicate on.
    """

    public_id = models.CharField(max_length=26, unique=True, default=event_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.public_id}"


class WebhookDelivery(models.Model):
    """One event to one endpoint: delivered, failed (given up), or pending until ``next_attempt_at``.

    A pending delivery whose ``next_attempt_at`` has passed is due: the beat sweep queues it (an enqueue lost to a
    crash or a worker killed mid-attempt included), so none is lost; queueing moves ``next_attempt_at`` a lease on.
    """

    public_id = models.CharField(max_length=26, unique=True, default=delivery_id, editable=False)
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # The current series of attempts (from the event, or from a replay): what the back-off and its window count.
    series_started_at = models.DateTimeField(default=timezone.now)
    series_attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "status", "-id"], name="webhook_delivery_endpoint"),
        ]

    def __str__(self) -> str:
        return self.public_id


class WebhookAttempt(models.Model):
    """The delivery log: one row per HTTP attempt (status code, latency, the response's first characters)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField()
    succeeded = models.BooleanField()
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["endpoint", "-id"], name="webhook_attempt_endpoint")]

    def __str__(self) -> str:
        return f"Attempt {self.number}"

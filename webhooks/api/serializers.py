from __future__ import annotations

from typing import Any

from rest_framework import serializers

from config.inputs import MAX_BIGINT
from config.query import QuerySerializer
from webhooks.constants import (
    DEFAULT_LIMIT,
    DESCRIPTION_MAX_LENGTH,
    MAX_LIMIT,
    MAX_ROTATION_OVERLAP_HOURS,
    URL_MAX_LENGTH,
    DeliveryStatus,
    EventType,
)
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

_EVENT_TYPES = serializers.ListField(
    child=serializers.ChoiceField(choices=EventType.choices),
    min_length=1,
    max_length=len(EventType.values),
    help_text="The event types to deliver to this endpoint.",
)


class WebhookEndpointCreateSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=URL_MAX_LENGTH, help_text="https://... on a public address.")
    eventTypes = _EVENT_TYPES
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True)


class WebhookEndpointUpdateSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=URL_MAX_LENGTH, required=False)
    eventTypes = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        min_length=1,
        max_length=len(EventType.values),
        required=False,
    )
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True)
    isActive = serializers.BooleanField(
        required=False, help_text="false pauses deliveries; true enables again (pending deliveries resume)."
    )


class WebhookSecretRotateSerializer(serializers.Serializer[Any]):
    overlapHours = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_ROTATION_OVERLAP_HOURS,
        help_text="How long the previous secret still signs (both signatures are sent); default 24.",
    )


class WebhookEndpointSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    id = serializers.CharField(source="public_id")
    eventTypes = serializers.ListField(source="event_types", child=serializers.CharField())
    isActive = serializers.BooleanField(source="is_active")
    disabledReason = serializers.CharField(source="disabled_reason", help_text="Why it was disabled, if it was.")
    failingSince = serializers.DateTimeField(source="failing_since", allow_null=True)
    previousSecretExpiresAt = serializers.DateTimeField(
        source="previous_secret_expires_at", allow_null=True, help_text="The end of a rotation's overlap."
    )
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "eventTypes",
            "isActive",
            "disabledReason",
            "failingSince",
            "previousSecretExpiresAt",
            "createdAt",
            "updatedAt",
        ]


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="whsec_...: shown this once; sign-checks every delivery.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookEndpointListSerializer(serializers.Serializer[Any]):
    endpoints = WebhookEndpointSerializer(many=True)


class WebhookAttemptQuerySerializer(QuerySerializer):
    beforeId = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_BIGINT, help_text="The previous page's nextBeforeId."
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


class WebhookDeliveryQuerySerializer(WebhookAttemptQuerySerializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)


class WebhookDeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    id = serializers.CharField(source="public_id")
    eventId = serializers.CharField(source="event.public_id", help_text="The webhook-id header: de-duplicate on it.")
    eventType = serializers.CharField(source="event.event_type")
    eventCreatedAt = serializers.DateTimeField(source="event.created_at")
    nextAttemptAt = serializers.DateTimeField(source="next_attempt_at", allow_null=True)
    lastStatusCode = serializers.IntegerField(source="last_status_code", allow_null=True)
    lastError = serializers.CharField(source="last_error")
    deliveredAt = serializers.DateTimeField(source="delivered_at", allow_null=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "eventId",
            "eventType",
            "eventCreatedAt",
            "status",
            "attempts",
            "nextAttemptAt",
            "lastStatusCode",
            "lastError",
            "deliveredAt",
        ]


class WebhookDeliveryPageSerializer(serializers.Serializer[Any]):
    deliveries = WebhookDeliverySerializer(many=True)
    nextBeforeId = serializers.IntegerField(allow_null=True)


class WebhookAttemptSerializer(serializers.ModelSerializer[WebhookAttempt]):
    deliveryId = serializers.CharField(source="delivery.public_id")
    eventId = serializers.CharField(source="delivery.event.public_id")
    eventType = serializers.CharField(source="delivery.event.event_type")
    attempt = serializers.IntegerField(source="number")
    startedAt = serializers.DateTimeField(source="started_at")
    statusCode = serializers.IntegerField(source="status_code", allow_null=True)
    latencyMs = serializers.IntegerField(source="latency_ms")
    responseExcerpt = serializers.CharField(source="response_excerpt", help_text="The first 500 characters.")

    class Meta:
        model = WebhookAttempt
        fields = [
            "deliveryId",
            "eventId",
            "eventType",
            "attempt",
            "startedAt",
            "statusCode",
            "latencyMs",
            "succeeded",
            "error",
            "responseExcerpt",
        ]


class WebhookAttemptPageSerializer(serializers.Serializer[Any]):
    attempts = WebhookAttemptSerializer(many=True)
    nextBeforeId = serializers.IntegerField(allow_null=True)


class WebhookReplaySerializer(serializers.Serializer[Any]):
    replayed = serializers.IntegerField(help_text="How many deliveries were queued again.")

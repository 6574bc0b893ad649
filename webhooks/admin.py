"""Webhook endpoints and their deliveries in the admin (ADMIN/OWNER), through the same services as the API."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from config.errors import ApplicationError
from webhooks.constants import URL_MAX_LENGTH, EventType
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.network import url_check
from webhooks.services import (
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_replay_failed,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
)
from workspaces.access import MANAGE, Rights
from workspaces.admin_base import ScopedTabularInline, WorkspaceScopedAdmin


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=URL_MAX_LENGTH, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple, help_text="What this endpoint receives."
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["workspace", "url", "description", "event_types", "is_active"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            url_check(url)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(WorkspaceScopedAdmin):
    """ADMIN and OWNER add, change, pause and delete endpoints; the secret is shown once, when made or rotated."""

    rights = Rights(view=MANAGE, add=MANAGE, change=MANAGE, delete=MANAGE)
    form = WebhookEndpointForm
    list_display = ["url", "is_active", "deliveries_link", "subscribed", "failing_since", "workspace"]
    list_filter = ["is_active"]
    list_select_related = ["workspace"]
    search_fields = ["url", "description", "public_id"]
    readonly_fields = ["public_id", "disabled_reason", "failing_since", "previous_secret_expires_at", "created_at"]
    actions = ["rotate_secrets", "replay_failed"]

    def get_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> Any:
        if obj is None:
            return ["workspace", "url", "description", "event_types"]
        return ["public_id", "url", "description", "event_types", "is_active", *self.readonly_fields[1:]]

    @admin.display(description="Event types")
    def subscribed(self, endpoint: WebhookEndpoint) -> str:
        """A count that keeps the list narrow; the names are its tooltip (and the change page's checkboxes)."""
        count = len(endpoint.event_types)
        label = endpoint.event_types[0] if count == 1 else f"{count} of {len(EventType.values)}"
        return format_html('<span title="{}">{}</span>', ", ".join(endpoint.event_types), label)

    @admin.display(description="Delivery log")
    def deliveries_link(self, endpoint: WebhookEndpoint) -> str:
        url = reverse("admin:webhooks_webhookdelivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        return format_html('<a href="{}">Deliveries</a>', url)

    def _user(self, request: HttpRequest) -> Any:
        return request.user

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if not change:
                created, secret = webhook_endpoint_create(
                    workspace=data["workspace"],
                    url=data["url"],
                    event_types=data["event_types"],
                    description=data.get("description", ""),
                    acting_user=self._user(request),
                )
                obj.pk = created.pk
                obj.refresh_from_db()
                self.message_user(
                    request, f"Signing secret (copy it now, it is not shown again): {secret}", level=messages.WARNING
                )
            elif form.has_changed():
                webhook_endpoint_update(
                    endpoint=obj,
                    acting_user=self._user(request),
                    url=data["url"],
                    event_types=data["event_types"],
                    description=data.get("description", ""),
                    is_active=data["is_active"],
                )
        except ApplicationError as exc:  # checked by the form; a name whose address changed since lands here
            raise PermissionDenied(exc.message) from exc

    def delete_model(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        webhook_endpoint_delete(endpoint=obj, acting_user=self._user(request))

    @admin.action(description="Rotate the signing secret (the old one signs 24 more hours)", permissions=["change"])
    def rotate_secrets(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        def rotate(endpoint: WebhookEndpoint) -> None:
            _, secret = webhook_endpoint_rotate_secret(endpoint=endpoint, acting_user=self._user(request))
            self.message_user(
                request, f"{endpoint.url}: new secret (copy it now, not shown again): {secret}", level=messages.WARNING
            )

        self.run_action(request, queryset, "change", rotate, "Rotated {count} secret(s).")

    @admin.action(description="Replay the failed deliveries", permissions=["change"])
    def replay_failed(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        replayed = 0

        def replay(endpoint: WebhookEndpoint) -> None:
            nonlocal replayed
            replayed += webhook_endpoint_replay_failed(endpoint=endpoint, acting_user=self._user(request))

        self.run_action(request, queryset, "change", replay, "Replaying the failed deliveries of {count} endpoint(s).")
        self.message_user(request, f"{replayed} deliveries queued again.")


ATTEMPT_FIELDS = ["number", "started_at", "status_code", "latency_ms", "succeeded", "error", "response_excerpt"]
DELIVERY_FIELDS = [
    "public_id",
    "endpoint",
    "event_id",
    "event_type",
    "status",
    "attempts",
    "next_attempt_at",
    "last_status_code",
    "last_error",
    "delivered_at",
    "payload",
]


class WebhookAttemptInline(ScopedTabularInline):
    model = WebhookAttempt
    rights = Rights(view=MANAGE)
    fields = tuple(ATTEMPT_FIELDS)
    readonly_fields = ATTEMPT_FIELDS
    ordering = ["number"]
    can_delete = False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(WorkspaceScopedAdmin):
    """The delivery log: each event to each endpoint, its attempts; replay what failed."""

    workspace_lookup = "endpoint__workspace"
    rights = Rights(view=MANAGE, change=MANAGE)
    list_display = [
        "public_id",
        "endpoint",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    ]
    list_filter = ["status", "event__event_type"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["public_id", "event__public_id"]
    fields = tuple(DELIVERY_FIELDS)
    readonly_fields = DELIVERY_FIELDS
    inlines = [WebhookAttemptInline]
    actions = ["replay"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Nothing is edited here; the right is what the replay action needs.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description="Event type", ordering="event__event_type")
    def event_type(self, delivery: WebhookDelivery) -> str:
        return delivery.event.event_type

    @admin.display(description="Event id (webhook-id)")
    def event_id(self, delivery: WebhookDelivery) -> str:
        return delivery.event.public_id

    @admin.display(description="Payload")
    def payload(self, delivery: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(delivery.event.payload, indent=2, ensure_ascii=False))

    @admin.action(description="Replay selected deliveries", permissions=["change"])
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        user: Any = request.user
        self.run_action(
            request,
            queryset,
            "change",
            lambda delivery: webhook_delivery_replay(delivery=delivery, acting_user=user),
            "Queued {count} deliveries again.",
        )

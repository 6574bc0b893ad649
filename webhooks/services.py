"""Webhook endpoints (ADMIN/OWNER, audited), the outbox (``webhook_event_emit``), deliveries, retries and replays."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.constants import AuditAction
from audit.services import audit_record
from config.errors import ValidationFailed
from webhooks import network, signing
from webhooks.constants import (
    DESCRIPTION_MAX_LENGTH,
    MAX_ROTATION_OVERLAP_HOURS,
    DeliveryStatus,
    EventType,
)
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from workspaces.constants import Role
from workspaces.models import Membership, Workspace

logger = logging.getLogger(__name__)

# --- Endpoints -----------------------------------------------------------------------------------


def _event_types(event_types: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(event_types))
    unknown = [value for value in chosen if value not in EventType.values]
    if unknown or not chosen:
        message = f"Unknown event type {unknown[0]!r}." if unknown else "Subscribe to at least one event type."
        raise ValidationFailed(
            f"{message} Choose from {', '.join(EventType.values)}.",
            details={"fields": {"eventTypes": [message]}},
        )
    return chosen


def _description(description: str) -> str:
    description = description.strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationFailed(f"The description is longer than {DESCRIPTION_MAX_LENGTH} characters.")
    return description


def _audit(action: AuditAction, endpoint: WebhookEndpoint, acting_user: User | None, **details: object) -> None:
    audit_record(
        action=action,
        workspace_id=endpoint.workspace_id,
        acting_user=acting_user,
        target_type="webhook_endpoint",
        target_id=endpoint.public_id,
        details={"url": endpoint.url, **details},
    )


@transaction.atomic
def webhook_endpoint_create(
    *, workspace: Workspace, url: str, event_types: Sequence[str], acting_user: User | None, description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret, which is returned this once (``whsec_...``)."""
    network.url_check(url)
    secret = signing.secret_new()
    endpoint = WebhookEndpoint.objects.create(
        workspace=workspace,
        url=url,
        event_types=_event_types(event_types),
        description=_description(description),
        secret=secret,
        created_by=acting_user,
    )
    _audit(AuditAction.WEBHOOK_ENDPOINT_CREATED, endpoint, acting_user, eventTypes=endpoint.event_types)
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    acting_user: User | None,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given. Enabling a disabled endpoint clears its failure streak; its pending deliveries resume."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    changes: dict[str, Any] = {}
    if url is not None and url != endpoint.url:
        network.url_check(url)
        changes["url"] = url
    if event_types is not None and _event_types(event_types) != endpoint.event_types:
        changes["event_types"] = _event_types(event_types)
    if description is not None and _description(description) != endpoint.description:
        changes["description"] = _description(description)
    if is_active is not None and is_active != endpoint.is_active:
        changes["is_active"] = is_active
        if is_active:
            changes.update(disabled_reason="", failing_since=None)
    if not changes:
        return endpoint
    for name, value in changes.items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=[*changes, "updated_at"])
    _audit(
        AuditAction.WEBHOOK_ENDPOINT_UPDATED,
        endpoint,
        acting_user,
        changed=sorted(name for name in changes if name not in ("disabled_reason", "failing_since")),
        eventTypes=endpoint.event_types,
        isActive=endpoint.is_active,
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, acting_user: User | None) -> None:
    """Delete the endpoint with its deliveries and their log (the audit row keeps its URL)."""
    _audit(AuditAction.WEBHOOK_ENDPOINT_DELETED, endpoint, acting_user)
    endpoint.delete()


@transaction.atomic
def webhook_endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, acting_user: User | None, overlap_hours: int | None = None
) -> tuple[WebhookEndpoint, str]:
    """A new secret, returned this once; for ``overlap_hours`` the old one signs too (both signatures are sent)."""
    hours = settings.WEBHOOK_ROTATION_OVERLAP_HOURS if overlap_hours is None else overlap_hours
    if not 0 <= hours <= MAX_ROTATION_OVERLAP_HOURS:
        raise ValidationFailed(
            f"The overlap must be between 0 and {MAX_ROTATION_OVERLAP_HOURS} hours.",
            details={"fields": {"overlapHours": [f"Between 0 and {MAX_ROTATION_OVERLAP_HOURS}."]}},
        )
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = signing.secret_new()
    endpoint.previous_secret = endpoint.secret if hours else ""
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(hours=hours) if hours else None
    endpoint.secret = secret
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    _audit(AuditAction.WEBHOOK_SECRET_ROTATED, endpoint, acting_user, overlapHours=hours)
    return endpoint, secret


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during a rotation's overlap."""
    expires = endpoint.previous_secret_expires_at
    previous = [endpoint.previous_secret] if endpoint.previous_secret and expires and expires > now else []
    return [endpoint.secret, *previous]


# --- The outbox ----------------------------------------------------------------------------------


Payload = dict[str, Any]
PayloadSource = Payload | Callable[[], Payload]


def webhook_event_emit(*, workspace_id: int, event_type: EventType, payload: PayloadSource) -> WebhookEvent | None:
    """Record an event in the caller's transaction (the outbox), for each active endpoint subscribed to its type.

    ``payload`` is the object's state now (or a function making it, called only when an endpoint subscribed).
    One query when nothing subscribed; otherwise the event and its deliveries too, queued once the transaction
    commits (a rollback sends nothing). Call it inside the transaction of the change the event reports.
    """
    events = webhook_events_emit(workspace_id=workspace_id, events=[(event_type, payload)])
    return events[0] if events else None


def webhook_events_emit(*, workspace_id: int, events: Sequence[tuple[EventType, PayloadSource]]) -> list[WebhookEvent]:
    """``webhook_event_emit`` of several events of one workspace (a batch of verified uploads), in one query when
    nothing subscribed to them. Returns the events recorded."""
    if not events:
        return []
    endpoints = list(
        WebhookEndpoint.objects.filter(workspace_id=workspace_id, is_active=True).values_list("pk", "event_types")
    )
    wanted = [(event_type, payload) for event_type, payload in events if any(event_type in t for _, t in endpoints)]
    if not wanted:
        return []
    now = timezone.now()
    rows = WebhookEvent.objects.bulk_create(
        [
            WebhookEvent(workspace_id=workspace_id, event_type=event_type, payload=p() if callable(p) else p)
            for event_type, p in wanted
        ]
    )
    lease = now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(event=event, endpoint_id=pk, next_attempt_at=lease, series_started_at=now)
            for event in rows
            for pk, types in endpoints
            if event.event_type in types
        ]
    )
    _enqueue_on_commit([delivery.pk for delivery in deliveries])
    return rows


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    """Queue the deliveries once the transaction commits. A broker outage is logged, not the caller's error: each
    delivery's ``next_attempt_at`` is a lease, after which the beat sweep queues it again."""
    from webhooks.tasks import webhook_deliver  # the tasks module imports this one

    def enqueue() -> None:
        for pk in delivery_ids:
            webhook_deliver.delay(pk)

    if delivery_ids:
        transaction.on_commit(enqueue, robust=True)


def webhook_deliveries_sweep(*, limit: int = 1000) -> int:
    """Queue the pending deliveries that are due (retries, and any whose enqueue or worker was lost)."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if due:
            lease = now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
            WebhookDelivery.objects.filter(pk__in=due).update(next_attempt_at=lease)
            _enqueue_on_commit(due)
    return len(due)


# --- Delivering ----------------------------------------------------------------------------------


def retry_delay(series_attempts: int) -> timedelta:
    """Exponential back-off: ``WEBHOOK_RETRY_BASE_SECONDS`` doubled after each failed attempt, at most
    ``WEBHOOK_RETRY_MAX_DELAY_SECONDS`` (30 s, 1, 2, 4 ... minutes, then every 6 hours by default)."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(series_attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS))


def event_body(event: WebhookEvent) -> bytes:
    """The JSON body, the same bytes at every attempt: ``type``, ``timestamp`` (of the event) and ``data``."""
    document = {"type": event.event_type, "timestamp": event.created_at.isoformat(), "data": event.payload}
    return json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def webhook_delivery_attempt(*, delivery_id: int) -> WebhookAttempt | None:
    """One attempt of a pending delivery (what the worker runs); None when there is nothing to do.

    No transaction is open during the POST; the outcome is recorded after it under a row lock, so a delivery
    attempted twice at once (at least once) stays DELIVERED once either succeeded.
    """
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING or not delivery.endpoint.is_active:
        return None
    started_at = timezone.now()
    event, endpoint = delivery.event, delivery.endpoint
    body = event_body(event)
    headers = signing.signature_headers(
        signing_secrets(endpoint, started_at), msg_id=event.public_id, timestamp=int(started_at.timestamp()), body=body
    )
    outcome = network.post(endpoint.url, body=body, headers=headers)
    return _attempt_record(delivery_id=delivery.pk, started_at=started_at, outcome=outcome)


@transaction.atomic
def _attempt_record(*, delivery_id: int, started_at: datetime, outcome: network.Outcome) -> WebhookAttempt:
    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery_id)
    now = timezone.now()
    delivery.attempts += 1
    delivery.series_attempts += 1
    attempt = WebhookAttempt.objects.create(
        delivery=delivery,
        endpoint_id=delivery.endpoint_id,
        number=delivery.attempts,
        started_at=started_at,
        status_code=outcome.status_code,
        latency_ms=outcome.latency_ms,
        succeeded=outcome.succeeded,
        error=outcome.error,
        response_excerpt=outcome.response_excerpt,
    )
    delivery.last_status_code, delivery.last_error = outcome.status_code, outcome.error
    if outcome.succeeded or delivery.status == DeliveryStatus.DELIVERED:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.DELIVERED, None
        delivery.delivered_at = delivery.delivered_at or now
    else:
        next_at = now + retry_delay(delivery.series_attempts)
        window_end = delivery.series_started_at + timedelta(seconds=settings.WEBHOOK_RETRY_WINDOW_SECONDS)
        if outcome.retryable and next_at <= window_end:
            delivery.next_attempt_at = next_at
        else:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    delivery.save()
    _endpoint_health(delivery.endpoint, succeeded=outcome.succeeded, now=now)
    return attempt


def _endpoint_health(endpoint: WebhookEndpoint, *, succeeded: bool, now: datetime) -> None:
    """A success ends the failure streak; an endpoint failing for ``WEBHOOK_DISABLE_AFTER_SECONDS`` is disabled
    and its owners are told by e-mail."""
    if succeeded:
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
        return
    failing_for = now - endpoint.failing_since
    if not endpoint.is_active or failing_for < timedelta(seconds=settings.WEBHOOK_DISABLE_AFTER_SECONDS):
        return
    hours = round(failing_for.total_seconds() / 3600)
    reason = f"Every delivery failed for {hours} hours (since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC)."
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_reason=reason, updated_at=now)
    audit_record(
        action=AuditAction.WEBHOOK_ENDPOINT_DISABLED,
        workspace_id=endpoint.workspace_id,
        acting_user=None,
        actor_label="webhook delivery",
        target_type="webhook_endpoint",
        target_id=endpoint.public_id,
        details={"url": endpoint.url, "reason": reason},
    )
    _owners_tell(endpoint, reason)


def _owners_tell(endpoint: WebhookEndpoint, reason: str) -> None:
    """E-mail the workspace's OWNERs and the endpoint's creator, through the e-mail task, after commit."""
    owners = Q(workspace_id=endpoint.workspace_id, role=Role.OWNER)
    if endpoint.created_by_id is not None:
        owners |= Q(workspace_id=endpoint.workspace_id, user_id=endpoint.created_by_id)
    emails = sorted(
        {address for address in Membership.objects.filter(owners).values_list("user__email", flat=True) if address}
    )
    if not emails:
        return
    subject = "A webhook endpoint was disabled"
    body = (
        f"The webhook endpoint {endpoint.url} ({endpoint.public_id}) was disabled.\n{reason}\n\n"
        "While it is disabled no events are recorded for it. Fix the receiver, enable the endpoint again (API or "
        "admin): its pending deliveries resume, and the failed ones can be replayed."
    )
    # By name: the e-mail task lives in the submissions app, above this one in the stack.
    email_send = current_app.tasks["submissions.tasks.email_send"]
    transaction.on_commit(lambda: email_send.delay(subject=subject, body=body, to=emails), robust=True)


# --- Replay --------------------------------------------------------------------------------------


def _replay(deliveries: list[WebhookDelivery], *, endpoint: WebhookEndpoint, acting_user: User | None) -> int:
    if not deliveries:
        return 0
    now = timezone.now()
    lease = now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    WebhookDelivery.objects.filter(pk__in=[delivery.pk for delivery in deliveries]).update(
        status=DeliveryStatus.PENDING, next_attempt_at=lease, series_started_at=now, series_attempts=0
    )
    _audit(
        AuditAction.WEBHOOK_REPLAYED,
        endpoint,
        acting_user,
        deliveries=[delivery.public_id for delivery in deliveries[:50]],
        count=len(deliveries),
    )
    _enqueue_on_commit([delivery.pk for delivery in deliveries])
    return len(deliveries)


@transaction.atomic
def webhook_delivery_replay(*, delivery: WebhookDelivery, acting_user: User | None) -> WebhookDelivery:
    """Send one delivery again (a failed one, or a delivered one the receiver lost), as a new series of attempts."""
    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    _replay([delivery], endpoint=delivery.endpoint, acting_user=acting_user)
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def webhook_endpoint_replay_failed(*, endpoint: WebhookEndpoint, acting_user: User | None) -> int:
    """Send every FAILED delivery of the endpoint again; the number queued."""
    failed = list(
        WebhookDelivery.objects.select_for_update()
        .filter(endpoint=endpoint, status=DeliveryStatus.FAILED)
        .only("pk", "public_id")
    )
    return _replay(failed, endpoint=endpoint, acting_user=acting_user)

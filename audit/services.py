"""The one way into the audit log. Call ``audit_record`` inside the transaction of the change it records, so both
commit or neither; a read (nothing changes) records on its own.

Where a request is being served, the row carries its origin: the client's address (``ratelimits.limits``'
rule, which honours ``RATE_LIMIT_NUM_PROXIES``), the user agent, and the name of the API key that authenticated
it. The request is the one django-simple-history's middleware already holds for the history's authors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from simple_history.models import HistoricalRecords

from audit.constants import USER_AGENT_MAX, AuditAction
from audit.errors import RetentionNotSet
from audit.models import AuditEvent
from ratelimits.limits import client_address


def _current_request() -> HttpRequest | None:
    request: HttpRequest | None = getattr(HistoricalRecords.context, "request", None)
    return request


def _api_key_name(request: HttpRequest | None) -> str:
    """The key an API request authenticated with (``request.auth`` is its ``WorkspaceContext``)."""
    api_key = getattr(getattr(request, "auth", None), "api_key", None)
    return str(api_key.name) if api_key is not None else ""


def _event(
    *,
    action: str,
    workspace_id: int | None,
    acting_user: AbstractBaseUser | AnonymousUser | None,
    target_type: str,
    target_id: object,
    details: dict[str, Any] | None,
    actor_label: str,
    request: HttpRequest | None,
) -> AuditEvent:
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    api_key_name = _api_key_name(request)
    if not actor_label:
        actor_label = user.get_username() if user is not None else f"API key {api_key_name}" if api_key_name else ""
    return AuditEvent(
        action=action,
        workspace_id=workspace_id,
        actor_user_id=user.pk if user is not None else None,
        actor_api_key=api_key_name,
        actor_label=actor_label[:200],
        target_type=target_type,
        target_id=str(target_id)[:64],
        ip_address=client_address(request) if request is not None else None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX] if request is not None else "",
        details=details or {},
    )


def audit_record(
    *,
    action: str,
    workspace_id: int | None,
    acting_user: AbstractBaseUser | AnonymousUser | None,
    target_type: str = "",
    target_id: object = "",
    details: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event. ``actor_label`` names an actor that is neither a user nor an API key (a share link, an
    attempted login name); by default the label is the user's login or "API key <name>"."""
    event = _event(
        action=action,
        workspace_id=workspace_id,
        acting_user=acting_user,
        target_type=target_type,
        target_id=target_id,
        details=details,
        actor_label=actor_label,
        request=_current_request(),
    )
    event.save(force_insert=True)
    return event


# The reads recorded while a request is served, written together when its response is ready (AuditReadsMiddleware).
_pending_reads: ContextVar[list[AuditEvent] | None] = ContextVar("audit_pending_reads", default=None)


def audit_record_read(
    *, action: str, workspace_id: int | None, target_type: str, target_id: object, **details: Any
) -> None:
    """A read by whoever the request being served authenticated as (a download link issued for each file of a list).

    Nothing changes, so there is no transaction to share: the request's reads go in one INSERT as its response
    leaves (an error response records none). Outside a request (a command) the row is written at once.
    """
    request = _current_request()
    event = _event(
        action=action,
        workspace_id=workspace_id,
        acting_user=getattr(request, "user", None),
        target_type=target_type,
        target_id=target_id,
        details=details,
        actor_label="",
        request=request,
    )
    pending = _pending_reads.get()
    if pending is None:
        event.save(force_insert=True)
    else:
        pending.append(event)


@contextmanager
def audit_reads_collected() -> Iterator[list[AuditEvent]]:
    """Collect ``audit_record_read`` rows for the caller to write (``audit_reads_write``) or drop."""
    reads: list[AuditEvent] = []
    token = _pending_reads.set(reads)
    try:
        yield reads
    finally:
        _pending_reads.reset(token)


def audit_reads_write(events: list[AuditEvent]) -> None:
    if events:
        AuditEvent.objects.bulk_create(events)


@transaction.atomic
def audit_prune(*, retention_days: int | None = None, acting_user: AbstractBaseUser | None = None) -> int:
    """Delete the rows older than the retention (``AUDIT_RETENTION_DAYS``); the pruning itself is recorded.

    On PostgreSQL the append-only trigger lets a DELETE through only for rows older than the cut-off this
    transaction names (``SET LOCAL audit.prune_before``); every UPDATE, and every other DELETE, stays refused.
    """
    days = settings.AUDIT_RETENTION_DAYS if retention_days is None else retention_days
    if not days or days < 1:
        raise RetentionNotSet("No retention is set (AUDIT_RETENTION_DAYS): the audit log is kept for ever.")
    cut_off = timezone.now() - timedelta(days=days)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('audit.prune_before', %s, true)", [cut_off.isoformat()])
    deleted, _ = AuditEvent.objects.filter(created_at__lt=cut_off).delete()
    audit_record(
        action=AuditAction.AUDIT_PRUNED,
        workspace_id=None,
        acting_user=acting_user,
        target_type="audit_log",
        details={"retention_days": days, "before": cut_off.isoformat(), "deleted": deleted},
    )
    return deleted

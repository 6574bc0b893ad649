from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from audit.models import AuditEvent


def audit_event_list(
    *,
    workspace_id: int,
    action: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
) -> QuerySet[AuditEvent]:
    """The workspace's events, newest first, narrowed by the given filters (``actor``: a login or an API key name)."""
    filters = {
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "created_at__gte": since,
        "created_at__lt": until,
        "id__lt": before_id,
    }
    events = AuditEvent.objects.filter(workspace_id=workspace_id).order_by("-id")
    events = events.filter(**{lookup: value for lookup, value in filters.items() if value not in (None, "")})
    if actor:
        events = events.filter(actor_label=actor) | events.filter(actor_api_key=actor)
    return events

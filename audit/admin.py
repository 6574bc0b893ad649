"""The audit log in the admin: ADMIN/OWNER see their workspaces' rows, filterable; read-only for everyone,
superusers included (no add, change or delete, whatever the role policy grants). Every view of it is recorded."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django.utils.html import format_html_join

from audit.constants import ADMIN_COUNT_CAP, AuditAction
from audit.models import AuditEvent
from audit.services import audit_record
from workspaces.access import MANAGE, Rights, user_workspace_ids
from workspaces.admin_base import WorkspaceScopedAdmin

FIELDS = (
    "created_at",
    "workspace",
    "actor_label",
    "actor_user",
    "actor_api_key",
    "action",
    "target_type",
    "target_id",
    "ip_address",
    "user_agent",
    "details_shown",
)


def action_label(action: str) -> str:
    """The action's name; a submission timeline event's type (note_added) reads "Note added"."""
    if action in AuditAction.values:
        return str(AuditAction(action).label)
    return action.replace("_", " ").capitalize()


class ActionFilter(admin.SimpleListFilter):
    """By action, named as the list names them, among the actions of the rows the user may see."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        actions = model_admin.get_queryset(request).order_by("action").values_list("action", flat=True).distinct()
        return [(action, action_label(action)) for action in actions]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        return queryset.filter(action=self.value()) if self.value() else queryset


class CappedCountPaginator(Paginator):
    """Counts at most ``ADMIN_COUNT_CAP`` + 1 rows (``COUNT(*)`` over a ``LIMIT`` subquery, never the whole log);
    past the cap the page says "more than N" and pages on to the cap (narrow by date or filter for older rows)."""

    exact = True

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by().values("pk")[: ADMIN_COUNT_CAP + 1].count()  # type: ignore[attr-defined]
        self.exact = counted <= ADMIN_COUNT_CAP
        return int(counted if self.exact else ADMIN_COUNT_CAP)


@admin.register(AuditEvent)
class AuditEventAdmin(WorkspaceScopedAdmin):
    rights = Rights(view=MANAGE)
    list_display = ["created_at", "workspace", "actor_label", "action_label", "target", "ip_address"]
    list_filter = [ActionFilter, "target_type", "actor_api_key"]
    search_fields = ["actor_label", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["workspace"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    fields = FIELDS
    readonly_fields = FIELDS
    actions = None

    def get_list_display(self, request: HttpRequest) -> Any:
        """The workspace column only for who reads more than one workspace's log."""
        several = request.user.is_superuser or len(user_workspace_ids(request.user, MANAGE)) > 1
        return self.list_display if several else [name for name in self.list_display if name != "workspace"]

    @admin.display(description="Action", ordering="action")
    def action_label(self, event: AuditEvent) -> str:
        return action_label(event.action)

    @admin.display(description="Details")
    def details_shown(self, event: AuditEvent) -> str:
        items = sorted(event.details.items()) if isinstance(event.details, dict) else [("", event.details)]
        return format_html_join(
            "", "<div><strong>{}</strong> {}</div>", ((key, json.dumps(value)) for key, value in items)
        )

    @admin.display(description="Target", ordering="target_id")
    def target(self, event: AuditEvent) -> str:
        return f"{event.target_type.replace('_', ' ')} {event.target_id}".strip()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _record_read(self, request: HttpRequest, workspace_ids: list[int | None], target_id: object = "") -> None:
        for workspace_id in workspace_ids:
            audit_record(
                action=AuditAction.AUDIT_READ,
                workspace_id=workspace_id,
                acting_user=request.user,
                target_type="audit_log",
                target_id=target_id,
                details={"via": "admin", "query": request.GET.urlencode()[:500]},
            )

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            readable = [None] if request.user.is_superuser else user_workspace_ids(request.user, MANAGE)
            self._record_read(request, list(readable))
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original") if response.status_code == 200 else None
        if request.method == "GET" and original is not None:
            self._record_read(request, [original.workspace_id], target_id=original.pk)
        return response

"""The audit log in the admin: ADMIN/OWNER see their workspaces' rows, filterable; read-only for everyone,
superusers included (no add, change or delete, whatever the role policy grants). Every view of it is recorded."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from audit.constants import AuditAction
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
    "details",
)


@admin.register(AuditEvent)
class AuditEventAdmin(WorkspaceScopedAdmin):
    rights = Rights(view=MANAGE)
    list_display = ["created_at", "workspace", "actor_label", "action", "target_type", "target_id", "ip_address"]
    list_filter = ["action", "target_type", "actor_api_key"]
    search_fields = ["actor_label", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["workspace"]
    show_full_result_count = False
    fields = FIELDS
    readonly_fields = FIELDS
    actions = None

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

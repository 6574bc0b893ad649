from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from workspaces.constants import Role
from workspaces.models import ApiKey, Membership, OversightRelationship, Workspace
from workspaces.services import api_key_create, api_key_revoke


def member_workspace_ids(request: HttpRequest) -> QuerySet[Membership, int]:
    return Membership.objects.filter(user_id=request.user.pk or 0).values_list("workspace_id", flat=True)


class WorkspaceScopedAdmin(admin.ModelAdmin):
    """Staff see only rows of workspaces they belong to; superusers see everything.

    ``workspace_lookup`` is the path from the model to its workspace.
    """

    workspace_lookup = "workspace"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.workspace_lookup}__in": member_workspace_ids(request)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Workspace and not request.user.is_superuser:
            kwargs["queryset"] = Workspace.objects.filter(pk__in=member_workspace_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(WorkspaceScopedAdmin):
    workspace_lookup = "pk"
    list_display = ["name", "slug", "public_id", "created_at"]
    search_fields = ["name", "slug"]
    readonly_fields = ["public_id", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(OversightRelationship)
class OversightRelationshipAdmin(WorkspaceScopedAdmin):
    workspace_lookup = "overseen"
    list_display = ["overseer", "overseen", "active", "created_at"]
    list_filter = ["active"]
    list_select_related = ["overseer", "overseen"]


@admin.register(ApiKey)
class ApiKeyAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "prefix", "workspace", "role", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["role"]
    list_select_related = ["workspace"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    fields = ["workspace", "name", "role", *readonly_fields]
    actions = ["revoke_keys"]

    def has_change_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        created, raw_key = api_key_create(
            workspace=obj.workspace,
            name=obj.name,
            role=Role(obj.role),
            acting_user=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        self.message_user(
            request, f"API key created. Copy it now, it is not shown again: {raw_key}", level=messages.WARNING
        )

    @admin.action(description="Revoke selected API keys")
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            api_key_revoke(api_key=api_key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")

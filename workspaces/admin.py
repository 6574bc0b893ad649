"""Workspaces, members, oversight and API keys in the admin; users and groups are the platform operator's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, reverse

from workspaces.access import MANAGE, READ, Rights, user_role_in
from workspaces.admin_base import OperatorOnlyMixin, ScopedTabularInline, WorkspaceScopedAdmin
from workspaces.constants import Role
from workspaces.errors import InsufficientRole, OversightRefused
from workspaces.models import ApiKey, Membership, OversightRelationship, Workspace
from workspaces.services import (
    api_key_check,
    api_key_create,
    api_key_revoke,
    membership_remove,
    membership_set,
    oversight_check,
    oversight_create,
    oversight_set_active,
    workspace_create,
    workspace_update,
)

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class PlatformUserAdmin(OperatorOnlyMixin, UserAdmin):
    pass


@admin.register(Group)
class PlatformGroupAdmin(OperatorOnlyMixin, GroupAdmin):
    pass


class MembershipForm(forms.ModelForm):
    """A member's row: the login names who (fixed once added), the role is what changes."""

    username = forms.CharField(max_length=150, required=False, label="Login", help_text="Of the person to add.")

    class Meta:
        model = Membership
        fields = ["role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["username"].initial = self.instance.user.get_username()
            self.fields["username"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and data.get("role"):
            user = User.objects.filter(username=data.get("username", ""), is_active=True).first()
            if user is None:
                self.add_error("username", "No active user with this login.")
            data["user"] = user
        return data


class MembershipInline(ScopedTabularInline):
    """Members and roles: ADMIN and OWNER manage them (only an OWNER touches the OWNER role)."""

    model = Membership
    form = MembershipForm
    rights = Rights(view=READ, add=MANAGE, change=MANAGE, delete=MANAGE)
    verbose_name, verbose_name_plural = "member", "members"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user").order_by("user__username")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["username", "role"] if self.has_change_permission(request, obj) else ["member", "role"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if self.has_change_permission(request, obj) else ["member"]

    @admin.display(description="Member")
    def member(self, membership: Membership) -> str:
        return membership.user.get_username()


@admin.register(Workspace)
class WorkspaceAdmin(WorkspaceScopedAdmin):
    """A workspace is created by the platform operator; its ADMINs rename it and manage its members."""

    workspace_lookup = "pk"
    rights = Rights(view=READ, change=MANAGE)
    list_display = ["name", "slug", "public_id", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]

    def get_fields(self, request: HttpRequest, obj: Workspace | None = None) -> Any:
        return ["name", "slug"] if obj is None else ["name", "slug", "public_id", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Workspace | None = None) -> list[str]:
        return [] if obj is None else ["slug", "public_id", "created_at"]

    def save_model(self, request: HttpRequest, obj: Workspace, form: Any, change: bool) -> None:
        if not change:
            created = workspace_create(name=obj.name, slug=obj.slug, owner=None)
            obj.pk = created.pk
            obj.refresh_from_db()
        elif form.has_changed():
            workspace_update(workspace=obj, name=obj.name, acting_user=request.user)  # type: ignore[arg-type]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        workspace: Workspace = form.instance
        acting_role = None if request.user.is_superuser else user_role_in(request.user, workspace.pk)
        acting_user: User = request.user  # type: ignore[assignment]

        def save(inline_form: Any) -> None:
            membership, data = inline_form.instance, inline_form.cleaned_data
            if membership.pk is not None and data.get("DELETE"):
                membership_remove(membership=membership, acting_role=acting_role, acting_user=acting_user)
            elif membership.pk is not None:
                membership_set(
                    workspace=workspace,
                    user=membership.user,
                    role=Role(membership.role),
                    acting_role=acting_role,
                    acting_user=acting_user,
                )
            elif data.get("user") is not None:
                membership_set(
                    workspace=workspace,
                    user=data["user"],
                    role=Role(data["role"]),
                    acting_role=acting_role,
                    acting_user=acting_user,
                )

        self.save_inline_forms(request, formset, save)


class OversightAddForm(forms.ModelForm):
    """The pair is chosen with plain fields, so the rules answer in words (not the database constraint's name)."""

    overseer_workspace = forms.ModelChoiceField(queryset=Workspace.objects.order_by("name"), label="Overseer")
    overseen_workspace = forms.ModelChoiceField(queryset=Workspace.objects.order_by("name"), label="Overseen")

    class Meta:
        model = OversightRelationship
        fields = ["active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        overseer, overseen = data.get("overseer_workspace"), data.get("overseen_workspace")
        if overseer is not None and overseen is not None:
            try:
                oversight_check(overseer=overseer, overseen=overseen)
            except OversightRefused as exc:
                raise forms.ValidationError(exc.message) from exc
        return data


@admin.register(OversightRelationship)
class OversightRelationshipAdmin(WorkspaceScopedAdmin):
    """Which workspace oversees which: set up by the platform operator, seen by the overseen workspace."""

    workspace_lookup = "overseen"
    rights = Rights(view=READ)
    list_display = ["overseer", "overseen", "active", "created_at"]
    list_filter = ["active"]
    list_select_related = ["overseer", "overseen"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = OversightAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: OversightRelationship | None = None) -> Any:
        return (
            ["overseer_workspace", "overseen_workspace", "active"]
            if obj is None
            else ["overseer", "overseen", "active"]
        )

    def get_readonly_fields(self, request: HttpRequest, obj: OversightRelationship | None = None) -> list[str]:
        return [] if obj is None else ["overseer", "overseen"]

    def save_model(self, request: HttpRequest, obj: OversightRelationship, form: Any, change: bool) -> None:
        user = request.user  # the platform operator (superusers only)
        if change:
            oversight_set_active(oversight=obj, active=obj.active, acting_user=user)  # type: ignore[arg-type]
            return
        try:
            created = oversight_create(
                overseer=form.cleaned_data["overseer_workspace"],
                overseen=form.cleaned_data["overseen_workspace"],
                active=obj.active,
                acting_user=user,  # type: ignore[arg-type]
            )
        except OversightRefused as exc:  # a concurrent add took the pair
            self.message_user(request, exc.message, level=messages.ERROR)
            return
        obj.pk = created.pk
        obj.refresh_from_db()


# The session key of a key just created: its secret is shown once on the key's page, with a copy button.
NEW_KEY_SESSION_KEY = "workspaces:new-api-key"


class ApiKeyAddForm(forms.ModelForm):
    """The role rule of ``api_key_create`` is asked before saving, so a refusal is shown beside the field."""

    acting_user: Any = None

    class Meta:
        model = ApiKey
        fields = ["workspace", "name", "role"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        workspace, role = data.get("workspace"), data.get("role")
        if workspace is not None and role and not self.acting_user.is_superuser:
            try:
                api_key_check(role=Role(role), acting_role=user_role_in(self.acting_user, workspace.pk))
            except InsufficientRole as exc:
                self.add_error("role", exc.message)
        return data


@admin.register(ApiKey)
class ApiKeyAdmin(WorkspaceScopedAdmin):
    """API keys: ADMIN and OWNER create (the secret is shown once, then only its prefix) and revoke them."""

    rights = Rights(view=MANAGE, add=MANAGE, change=MANAGE)
    list_display = ["name", "prefix", "workspace", "role", "state", "created_at", "last_used_at"]
    list_filter = ["role"]
    list_select_related = ["workspace"]
    readonly_fields = ["prefix", "state", "created_by", "created_at", "last_used_at", "revoked_at"]
    fields = ["workspace", "name", "role", *readonly_fields]
    actions = ["revoke_keys"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = type("ApiKeyAddForm", (ApiKeyAddForm,), {"acting_user": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        return ["workspace", "name", "role"] if obj is None else self.fields

    def has_change_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)  # a key is never edited, only revoked

    def has_revoke_permission(self, request: HttpRequest, obj: ApiKey) -> bool:
        return obj.revoked_at is None and self.user_may(request, "change", obj)

    @admin.display(description="State")
    def state(self, api_key: ApiKey) -> str:
        return "Active" if api_key.revoked_at is None else "Revoked"

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        try:
            created, raw_key = api_key_create(
                workspace=obj.workspace,
                name=obj.name,
                role=Role(obj.role),
                acting_user=request.user,  # type: ignore[arg-type]
                acting_role=None if request.user.is_superuser else user_role_in(request.user, obj.workspace_id),
            )
        except InsufficientRole as exc:  # the form asked first; only a role changed meanwhile ends here
            raise PermissionDenied(exc.message) from exc
        obj.pk = created.pk
        obj.refresh_from_db()
        request.session[NEW_KEY_SESSION_KEY] = {"pk": created.pk, "secret": raw_key}

    def response_add(self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None) -> HttpResponse:
        self.message_user(request, f"API key “{obj.name}” created. Copy its secret now: it is not shown again.")
        return HttpResponseRedirect(reverse("admin:workspaces_apikey_change", args=[obj.pk]))

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        api_key = context.get("original")
        new_key = request.session.get(NEW_KEY_SESSION_KEY)
        if api_key is not None and new_key and new_key.get("pk") == api_key.pk:
            del request.session[NEW_KEY_SESSION_KEY]  # shown once
            context["new_secret"] = new_key["secret"]
        context["may_revoke"] = api_key is not None and self.has_revoke_permission(request, api_key)
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self) -> list[URLPattern]:
        revoke = path(
            "<path:object_id>/revoke/", self.admin_site.admin_view(self.revoke_view), name="workspaces_apikey_revoke"
        )
        return [revoke, *super().get_urls()]

    def revoke_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        api_key = self.get_object(request, unquote(object_id))
        if api_key is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.user_may(request, "change", api_key):
            raise PermissionDenied("Your role in this workspace does not allow revoking API keys.")
        api_key_revoke(api_key=api_key, acting_user=request.user)  # type: ignore[arg-type]
        self.message_user(request, f"API key “{api_key.name}” revoked: requests with it are refused from now on.")
        return HttpResponseRedirect(reverse("admin:workspaces_apikey_change", args=[api_key.pk]))

    @admin.action(description="Revoke selected API keys", permissions=["change"])
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        self.run_action(
            request,
            queryset,
            "change",
            lambda key: api_key_revoke(api_key=key, acting_user=request.user),  # type: ignore[arg-type]
            "Revoked {count} key(s).",
        )

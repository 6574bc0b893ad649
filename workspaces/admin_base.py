"""The admin's one permission policy: every ModelAdmin and inline of the product derives from these classes.

Each admin declares its ``rights`` (the role each kind of access needs, ``workspaces.access.Rights``) and the
path from its model to the workspace (``workspace_lookup``); everything else follows from the user's workspace
roles, never from Django's per-model permissions: the rows it lists (``get_queryset``, hence the change, delete
and history pages, ``date_hierarchy`` counts, actions and autocomplete), the objects forms may point at (foreign
key and raw id choices), the index, and which actions and inlines it shows. An admin over rows with more rules
than the workspace (submission visibility) narrows ``scope_q`` with its app's access module.

Writes go through services: an admin that edits overrides ``save_model``/``save_formset``; a page saved without a
change writes nothing (no history row, no log entry).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from config.errors import ApplicationError
from workspaces.access import OPERATOR, Right, Rights, user_may, user_workspace_ids
from workspaces.constants import ROLE_RANK, Role


def _workspace_id_of(obj: Any, lookup: str) -> int | None:
    """Follow ``lookup`` ("required_document__workflow__workspace") from ``obj`` to its workspace id."""
    if lookup == "pk":
        return obj.pk
    *path, last = lookup.split("__")
    for name in path:
        obj = getattr(obj, name)
    return getattr(obj, f"{last}_id")


def _form_role(rights: Rights) -> Role | None:
    """The lower of the roles that add and change need: what a form of the admin needs to point at a row."""
    roles = [role for role in (rights.add, rights.change) if role is not OPERATOR]
    return min(roles, key=lambda role: ROLE_RANK[role]) if roles else OPERATOR


class _ScopedChoices:
    """Foreign key and many-to-many choices: the related admin's rows in workspaces where the user may edit here."""

    rights: Rights = Rights()
    admin_site: admin.AdminSite

    def choices_for(self, request: HttpRequest, model: type[Model]) -> QuerySet[Any]:
        related = self.admin_site._registry.get(model)
        if not isinstance(related, WorkspaceScopedAdmin):
            return model._default_manager.none()
        workspace_ids = user_workspace_ids(request.user, _form_role(self.rights))
        return related.get_queryset(request).filter(**{f"{related.workspace_lookup}__in": workspace_ids})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser and "queryset" not in kwargs:
            kwargs["queryset"] = self.choices_for(request, db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser and "queryset" not in kwargs:
            kwargs["queryset"] = self.choices_for(request, db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class WorkspaceScopedAdmin(_ScopedChoices, admin.ModelAdmin):
    """A ModelAdmin whose every surface follows the user's workspace roles (superusers: everything)."""

    workspace_lookup = "workspace"

    # --- What the user sees

    def scope_q(self, request: HttpRequest) -> Q:
        """The rows a (non-superuser) user may see: those of the workspaces where its role may view them."""
        return Q(**{f"{self.workspace_lookup}__in": user_workspace_ids(request.user, self.rights.view)})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(self.scope_q(request))

    def workspace_id_of(self, obj: Any) -> int | None:
        return _workspace_id_of(obj, self.workspace_lookup)

    def _in_scope(self, request: HttpRequest, obj: Any) -> bool:
        """Is ``obj`` one of the user's rows? (A history page may hand over a row the lists do not show.)"""
        if obj.pk is None or request.user.is_superuser:
            return True
        cache: dict[tuple[str, Any], bool] = request.__dict__.setdefault("_access_in_scope", {})
        key = (self.model._meta.label, obj.pk)
        if key not in cache:
            cache[key] = self.get_queryset(request).filter(pk=obj.pk).exists()
        return cache[key]

    def user_may(self, request: HttpRequest, right: Right, obj: Any = None) -> bool:
        """The policy: may the user do ``right`` (to ``obj``, or to some row when ``obj`` is None)?

        Seeing an object is being in scope (which includes what an overseer is granted); changing or deleting
        it also needs the role in the object's own workspace.
        """
        if obj is None:
            return user_may(request.user, self.rights, right)
        if not user_may(request.user, self.rights, "view") or not self._in_scope(request, obj):
            return False
        return right == "view" or user_may(request.user, self.rights, right, workspace_id=self.workspace_id_of(obj))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.user_may(request, "view")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.user_may(request, "view", obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.user_may(request, "add")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.user_may(request, "change", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.user_may(request, "delete", obj)

    def permitted(self, request: HttpRequest, queryset: QuerySet[Any], right: Right) -> QuerySet[Any]:
        """The rows of ``queryset`` (already in scope) of workspaces where the user's role allows ``right``."""
        if request.user.is_superuser:
            return queryset
        workspace_ids = user_workspace_ids(request.user, self.rights.minimum(right))
        return queryset.filter(**{f"{self.workspace_lookup}__in": workspace_ids})

    # --- Writes

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and not form.has_changed():
            return
        raise ImproperlyConfigured(f"{type(self).__name__} saves through a service: override save_model.")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        form.save_m2m()
        for formset in formsets:
            # What the change message reads; filled by formset.save(), which services replace here.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if not formset.has_changed():
            return
        raise ImproperlyConfigured(f"{type(self).__name__}: an inline that cannot save through a service is read-only.")

    def save_inline_forms(self, request: HttpRequest, formset: Any, save: Callable[[Any], Any]) -> None:
        """Call ``save(form)`` (a service call) for each changed form of an inline; a domain error is a message."""
        for inline_form in formset.forms:
            if inline_form.has_changed() and hasattr(inline_form, "cleaned_data"):
                try:
                    save(inline_form)
                except ApplicationError as exc:
                    row = inline_form.instance if inline_form.instance.pk is not None else "New row"
                    self.message_user(request, f"{row}: {exc.message}", level=messages.ERROR)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return super().log_change(request, obj, message) if message else None

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)
        if "delete_selected" in actions:  # of the selected rows, those the user may delete (confirm, log, delete)
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_delete_permitted, name, description)
        return actions

    def get_ordering(self, request: HttpRequest) -> Any:
        """Lists and autocomplete in a stable order: the admin's, the model's, or newest first."""
        return self.ordering or self.model._meta.ordering or ("-pk",)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Delete selected rows one by one through ``delete_model`` (where an admin calls its service)."""
        for obj in queryset:
            self.delete_model(request, obj)

    def run_action(
        self, request: HttpRequest, queryset: QuerySet[Any], right: Right, act: Callable[[Any], Any], done: str
    ) -> None:
        """Apply ``act`` (a service call) to each selected row the user may ``right``; a domain error is a message."""
        count = 0
        for obj in self.permitted(request, queryset, right):
            try:
                act(obj)
            except ApplicationError as exc:
                self.message_user(request, f"{obj}: {exc.message}", level=messages.ERROR)
            else:
                count += 1
        skipped = queryset.count() - self.permitted(request, queryset, right).count()
        if skipped:
            self.message_user(request, f"Skipped {skipped}: your role does not allow it.", level=messages.WARNING)
        self.message_user(request, done.format(count=count))


def _delete_permitted(model_admin: WorkspaceScopedAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
    return delete_selected(model_admin, request, model_admin.permitted(request, queryset, "delete"))


class ScopedInlineMixin(_ScopedChoices):
    """An inline whose rights are checked against the role in the parent object's workspace."""

    parent_model: type[Model]

    def scope_q(self, request: HttpRequest) -> Q:
        """Rows of the parent the user may see (all, unless the rows carry rules of their own)."""
        return Q()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        return queryset if request.user.is_superuser else queryset.filter(self.scope_q(request))

    def _may(self, request: HttpRequest, right: Right, obj: Any) -> bool:
        parent = self.admin_site._registry[self.parent_model]
        assert isinstance(parent, WorkspaceScopedAdmin)
        workspace_id = parent.workspace_id_of(obj) if obj is not None and obj.pk is not None else None
        return user_may(request.user, self.rights, right, workspace_id=workspace_id)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, "view", obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, "add", obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, "change", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, "delete", obj)


class ScopedTabularInline(ScopedInlineMixin, admin.TabularInline):
    extra = 0


class OperatorOnlyMixin:
    """For admins of platform tables (users, groups): superusers only."""

    def _operator(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._operator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._operator(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._operator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._operator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._operator(request)

"""Public actions in the admin: create a link (its token is shown once), see what came back, expire links."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from config.errors import ApplicationError
from workflows.admin.review import remember_new_link
from workflows.models import PublicAction, PublicActionFile
from workflows.services.public_actions import (
    MAX_TTL_DAYS,
    public_action_check,
    public_action_create,
    public_action_revoke,
)
from workspaces.access import READ, REVIEW, Rights
from workspaces.admin_base import ScopedTabularInline, WorkspaceScopedAdmin

FORM_VERSION_FIELDS = ("form_version", "individual_form_version", "company_form_version")


class PublicActionAddForm(forms.ModelForm):
    expires_in_days = forms.IntegerField(
        min_value=1, max_value=MAX_TTL_DAYS, initial=settings.PUBLIC_ACTION_TTL_DAYS, help_text="Link lifetime."
    )

    class Meta:
        model = PublicAction
        fields = ["workflow", *FORM_VERSION_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        workflow = data.get("workflow")
        if workflow is not None and data.get("form_version") is not None:
            try:
                public_action_check(
                    workflow=workflow,
                    form_versions=[data.get(name) for name in FORM_VERSION_FIELDS],
                    expires_in_days=data.get("expires_in_days") or settings.PUBLIC_ACTION_TTL_DAYS,
                )
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message) from exc
        return data


class PublicActionFileInline(ScopedTabularInline):
    model = PublicActionFile
    rights = Rights(view=READ)
    can_delete = False
    fields = ["position", "entity_reference", "field_name", "file_name", "document_status"]
    readonly_fields = ["position", "entity_reference", "field_name", "file_name", "document_status"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PublicActionFile]:
        return super().get_queryset(request).select_related("record_document__document")

    @admin.display(description="Field")
    def field_name(self, obj: PublicActionFile) -> str:
        return obj.record_document.field_name

    @admin.display(description="File")
    def file_name(self, obj: PublicActionFile) -> str:
        return obj.record_document.document.original_name

    @admin.display(description="Upload")
    def document_status(self, obj: PublicActionFile) -> str:
        return obj.record_document.document.get_status_display()


@admin.register(PublicAction)
class PublicActionAdmin(WorkspaceScopedAdmin):
    """A MEMBER creates links (the token is shown once) and revokes them."""

    rights = Rights(view=READ, add=REVIEW, change=REVIEW)
    list_display = ["public_id", "workflow", "state", "token_hint", "expires_at", "submitted_at", "created_at"]
    list_filter = ["status"]
    list_select_related = ["workflow"]
    search_fields = ["public_id", "workflow__public_id", "token_hint"]
    readonly_fields = (
        "public_id",
        "workspace",
        "workflow",
        "form_version",
        "individual_form_version",
        "company_form_version",
        "state",
        "token_hint",
        "expires_at",
        "submission",
        "submitted_at",
        "completed_at",
        "revoked_at",
        "created_by",
        "created_at",
    )
    inlines = [PublicActionFileInline]
    actions = ["expire_links"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = PublicActionAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [*PublicActionAddForm.Meta.fields, "expires_in_days"]
        return self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return self.inlines if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: PublicAction, form: Any, change: bool) -> None:
        action, token = public_action_create(
            workflow=obj.workflow,
            form_version=obj.form_version,
            individual_form_version=obj.individual_form_version,
            company_form_version=obj.company_form_version,
            expires_in_days=form.cleaned_data.get("expires_in_days"),
            acting_user=request.user,  # type: ignore[arg-type]
        )
        obj.__dict__.update({k: v for k, v in action.__dict__.items() if k != "_state"})
        obj._state.adding = False
        link = request.build_absolute_uri(reverse("public-action-page", args=[token]))
        remember_new_link(request, action.workflow, link, f"Form link {action.public_id}")
        self.message_user(
            request, f"Send this link to the client (it is shown only once): {link}", level=messages.WARNING
        )

    def response_add(self, request: HttpRequest, obj: PublicAction, post_url_continue: str | None = None) -> Any:
        """Back to the workflow's page, where the new link is shown once with a copy button."""
        return HttpResponseRedirect(reverse("admin:workflows_workflow_change", args=[obj.workflow_id]) + "#links")

    @admin.action(description="Revoke the selected links (they expire now)", permissions=["change"])
    def expire_links(self, request: HttpRequest, queryset: QuerySet[PublicAction]) -> None:
        def revoke(action: PublicAction) -> None:
            public_action_revoke(action=action, acting_user=request.user)  # type: ignore[arg-type]

        self.run_action(request, queryset, "change", revoke, "{count} link(s) revoked.")

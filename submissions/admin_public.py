"""Public form pages in the admin: invitation links (created here, the link shown once) and drafts' resume links,
both revocable. Whether a form is open to the public is a field of the form's own page (``admin_schema``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from config.errors import ApplicationError
from submissions.access import submission_admin_q
from submissions.models import DraftLink, FormInvitation, Submission
from submissions.services.public_forms import draft_links_revoke, form_invitation_create, form_invitations_revoke
from workspaces.access import READ, REVIEW, Rights
from workspaces.admin_base import WorkspaceScopedAdmin


def public_form_path(workspace_slug: str, form_slug: str, token: str = "") -> str:
    """The address of a form's public page (with ``token``: an invitation's), from PUBLIC_BASE_URL when set."""
    if token:
        path = reverse("submissions:public-form-invitation", args=[workspace_slug, form_slug, token])
    else:
        path = reverse("submissions:public-form", args=[workspace_slug, form_slug])
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def _state(link: FormInvitation | DraftLink) -> str:
    if link.revoked_at is not None:
        return "Revoked"
    return "Expired" if link.expires_at <= timezone.now() else "Live"


class InvitationAddForm(forms.ModelForm):
    expires_in_days = forms.IntegerField(
        min_value=1, max_value=365, initial=settings.PUBLIC_FORM_INVITATION_TTL_DAYS, help_text="Link lifetime."
    )

    class Meta:
        model = FormInvitation
        fields = ["form", "label"]


@admin.register(FormInvitation)
class FormInvitationAdmin(WorkspaceScopedAdmin):
    """A MEMBER invites a client to a form (also one not open to the public); the link is shown once."""

    workspace_lookup = "form__workspace"
    rights = Rights(view=READ, add=REVIEW, change=REVIEW)
    list_display = ["__str__", "form", "state", "expires_at", "created_by", "created_at"]
    list_select_related = ["form", "created_by"]
    search_fields = ["label", "public_id", "form__title"]
    readonly_fields = ["public_id", "form", "label", "state", "expires_at", "revoked_at", "created_by", "created_at"]
    actions = ["revoke"]

    @admin.display(description="State")
    def state(self, obj: FormInvitation) -> str:
        return _state(obj)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = InvitationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["form", "label", "expires_in_days"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: FormInvitation, form: Any, change: bool) -> None:
        try:
            invitation, token = form_invitation_create(
                form=obj.form,
                label=obj.label,
                expires_in_days=form.cleaned_data.get("expires_in_days"),
                acting_user=request.user,  # type: ignore[arg-type]
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return
        obj.__dict__.update({k: v for k, v in invitation.__dict__.items() if k != "_state"})
        obj._state.adding = False
        link = public_form_path(obj.form.workspace.slug, obj.form.slug, token)
        if not link.startswith("http"):
            link = request.build_absolute_uri(link)
        self.message_user(
            request, f"Send this link to the client (it is shown only once): {link}", level=messages.WARNING
        )

    @admin.action(description="Revoke the selected invitations", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[FormInvitation]) -> None:
        ids = list(self.permitted(request, queryset, "change").values_list("pk", flat=True))
        count = form_invitations_revoke(invitation_ids=ids, acting_user=request.user)  # type: ignore[arg-type]
        self.message_user(request, f"Revoked {count} invitation(s).")


@admin.register(DraftLink)
class DraftLinkAdmin(WorkspaceScopedAdmin):
    """The resume links of drafts clients saved on public form pages (of submissions the user may see)."""

    workspace_lookup = "submission__workspace"
    rights = Rights(view=READ, change=REVIEW)
    list_display = ["submission", "form_title", "email", "state", "expires_at", "created_at"]
    list_select_related = ["submission__form"]
    readonly_fields = ["submission", "invitation", "email", "state", "created_at", "expires_at", "revoked_at"]
    actions = ["revoke"]

    def scope_q(self, request: HttpRequest) -> Q:
        visible = Submission.objects.filter(submission_admin_q(user=request.user))
        return super().scope_q(request) & Q(submission__in=visible)

    @admin.display(description="Form")
    def form_title(self, obj: DraftLink) -> str:
        return obj.submission.form.title

    @admin.display(description="State")
    def state(self, obj: DraftLink) -> str:
        return _state(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a client saves a draft on the form's page

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description="Revoke the selected resume links", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[DraftLink]) -> None:
        ids = list(self.permitted(request, queryset, "change").values_list("pk", flat=True))
        count = draft_links_revoke(link_ids=ids, acting_user=request.user)  # type: ignore[arg-type]
        self.message_user(request, f"Revoked {count} resume link(s).")

"""Forms, submissions, matters and share links in the admin; what a user sees of submissions is
``submissions.access``'s answer, and every write is a service call."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from config.errors import ApplicationError
from submissions.access import submission_admin_q
from submissions.admin_case import SubmissionCaseMixin
from submissions.admin_exports import ExportJobAdmin  # noqa: F401  (registers the export jobs page)
from submissions.admin_forms import VisibilityForm
from submissions.admin_public import DraftLinkAdmin, FormInvitationAdmin  # noqa: F401  (registers them)
from submissions.admin_queue import SubmissionQueueAdmin
from submissions.admin_schema import FormAdmin  # noqa: F401  (registers the forms' admin)
from submissions.constants import VisibilityMode
from submissions.models import (
    FormVersion,
    Matter,
    MatterSubmission,
    ShareLink,
    Submission,
    SubmissionVisibility,
)
from submissions.services import (
    matter_create,
    matter_link_submission,
    matter_unlink_submission,
    matter_update,
    share_links_revoke,
    submission_delete,
    visibility_set,
)
from workspaces.access import MANAGE, READ, REVIEW, Rights
from workspaces.admin_base import ScopedTabularInline, WorkspaceScopedAdmin


def _visible_submissions_q(request: HttpRequest, lookup: str) -> Q:
    """Rows pointing (through ``lookup``) at a submission the user may see."""
    return Q(**{f"{lookup}__in": Submission.objects.filter(submission_admin_q(user=request.user))})


def _domain_error(admin_page: admin.ModelAdmin, request: HttpRequest, exc: ApplicationError) -> None:
    admin_page.message_user(request, exc.message, level=messages.ERROR)


@admin.register(FormVersion)
class FormVersionAdmin(WorkspaceScopedAdmin):
    """Published versions are immutable: read-only here, also for superusers."""

    workspace_lookup = "form__workspace"
    rights = Rights(view=READ)
    list_display = ["form", "version", "public_id", "published_at"]
    list_select_related = ["form"]
    readonly_fields = ["public_id", "form", "version", "schema", "published_by", "published_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(SubmissionCaseMixin, SubmissionQueueAdmin):
    """The review queue (``admin_queue``); a submission's page is its case (``admin_case``): data changes go
    through the API, so they are validated and snapshotted."""

    rights = Rights(view=READ, change=REVIEW, delete=MANAGE)

    def scope_q(self, request: HttpRequest) -> Q:
        return submission_admin_q(user=request.user)

    def delete_model(self, request: HttpRequest, obj: Submission) -> None:
        submission_delete(submission=obj, acting_user=request.user)  # type: ignore[arg-type]

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """What goes with a submission (notes, grants, links) is the service's to delete, not a right of its own."""
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected


class MatterSubmissionInline(ScopedTabularInline):
    """Links of a matter: a MEMBER links and unlinks submissions of the matter's workspace (a link is not edited)."""

    model = MatterSubmission
    rights = Rights(view=READ, add=REVIEW, delete=REVIEW)
    autocomplete_fields = ["submission"]

    def scope_q(self, request: HttpRequest) -> Q:
        return _visible_submissions_q(request, "submission")


@admin.register(Matter)
class MatterAdmin(WorkspaceScopedAdmin):
    rights = Rights(view=READ, add=REVIEW, change=REVIEW)
    list_display = ["__str__", "workspace", "public_id", "created_at"]
    list_select_related = ["workspace"]
    search_fields = ["title", "public_id"]
    readonly_fields = ["public_id", "number", "created_at"]
    fields = ["workspace", "number_prefix", "title", *readonly_fields]
    inlines = [MatterSubmissionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Matter | None = None) -> list[str]:
        return [*self.readonly_fields, *(["workspace", "number_prefix"] if obj is not None else [])]

    def save_model(self, request: HttpRequest, obj: Matter, form: Any, change: bool) -> None:
        if change:
            if form.has_changed():
                matter_update(matter=obj, title=obj.title, acting_user=request.user)  # type: ignore[arg-type]
            return
        created = matter_create(
            workspace=obj.workspace,
            title=obj.title,
            number_prefix=obj.number_prefix,
            acting_user=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        def save(link_form: Any) -> None:
            link, data = link_form.instance, link_form.cleaned_data
            if link.pk is not None and data.get("DELETE"):
                matter_unlink_submission(link=link, acting_user=request.user)  # type: ignore[arg-type]
            elif link.pk is None and data.get("submission") is not None:
                matter_link_submission(
                    matter=form.instance,
                    submission=data["submission"],
                    acting_user=request.user,  # type: ignore[arg-type]
                )

        self.save_inline_forms(request, formset, save)


@admin.register(ShareLink)
class ShareLinkAdmin(WorkspaceScopedAdmin):
    workspace_lookup = "submission__workspace"
    rights = Rights(view=READ, change=REVIEW)
    list_display = ["submission", "email", "created_by", "created_at", "expires_at", "revoked_at"]
    list_select_related = ["submission", "created_by"]
    readonly_fields = ["submission", "email", "created_by", "created_at", "expires_at", "revoked_at"]
    actions = ["revoke"]

    def scope_q(self, request: HttpRequest) -> Q:
        return super().scope_q(request) & _visible_submissions_q(request, "submission")

    @admin.action(description="Revoke selected links", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ShareLink]) -> None:
        by_submission: dict[int, list[int]] = {}
        for link in self.permitted(request, queryset, "change"):
            by_submission.setdefault(link.submission_id, []).append(link.pk)
        count = 0
        for submission in Submission.objects.filter(pk__in=by_submission):
            count += share_links_revoke(
                submission=submission,
                link_ids=by_submission[submission.pk],
                acting_user=request.user,  # type: ignore[arg-type]
            )
        self.message_user(request, f"Revoked {count} link(s).")


@admin.register(SubmissionVisibility)
class SubmissionVisibilityAdmin(WorkspaceScopedAdmin):
    """ADMIN and OWNER set who sees each submission of their workspace, restricted or not (the data is not shown
    here), as ``PUT /api/submissions/{id}/visibility`` does; a restriction they set they can always undo."""

    rights = Rights(view=MANAGE, change=MANAGE)
    form = VisibilityForm
    list_display = ["public_id", "form", "visibility_mode", "created_at"]
    list_filter = ["visibility_mode"]
    list_select_related = ["form"]
    search_fields = ["public_id"]
    fields = ["public_id", "form", "visibility_mode", "users", "roles", "overseers"]
    readonly_fields = ["public_id", "form"]
    actions = ["open_to_workspace"]

    def save_model(self, request: HttpRequest, obj: SubmissionVisibility, form: Any, change: bool) -> None:
        if not form.has_changed():
            return
        try:
            visibility_set(
                submission=obj,
                mode=VisibilityMode(form.cleaned_data["visibility_mode"]),
                grants=form.grants(),
                acting_user=request.user,  # type: ignore[arg-type]
            )
        except ApplicationError as exc:
            _domain_error(self, request, exc)

    @admin.action(description="Make visible to the whole workspace", permissions=["change"])
    def open_to_workspace(self, request: HttpRequest, queryset: QuerySet[SubmissionVisibility]) -> None:
        user = request.user
        self.run_action(
            request,
            queryset,
            "change",
            lambda submission: visibility_set(
                submission=submission,
                mode=VisibilityMode.WORKSPACE,
                grants=[],
                acting_user=user,  # type: ignore[arg-type]
            ),
            "{count} submission(s) now visible to their whole workspace.",
        )

"""Forms, submissions, matters and share links in the admin; what a user sees of submissions is
``submissions.access``'s answer, and every write is a service call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from simple_history.admin import SimpleHistoryAdmin

from config.errors import ApplicationError
from submissions.access import submission_admin_q
from submissions.constants import GrantTargetType, SubmissionStatus, VisibilityMode
from submissions.formschema import display_data
from submissions.models import (
    Form,
    FormVersion,
    Matter,
    MatterSubmission,
    ShareLink,
    Submission,
    SubmissionNote,
    SubmissionVisibility,
)
from submissions.services import (
    GrantRequest,
    form_archive,
    form_create,
    form_publish,
    form_update,
    matter_create,
    matter_link_submission,
    matter_unlink_submission,
    matter_update,
    note_create,
    share_links_revoke,
    submission_delete,
    submission_update,
    visibility_set,
)
from workspaces.access import MANAGE, READ, REVIEW, Rights
from workspaces.admin_base import ScopedTabularInline, WorkspaceScopedAdmin
from workspaces.constants import Role
from workspaces.models import Workspace
from workspaces.selectors import overseer_workspace_ids


def _visible_submissions_q(request: HttpRequest, lookup: str) -> Q:
    """Rows pointing (through ``lookup``) at a submission the user may see."""
    return Q(**{f"{lookup}__in": Submission.objects.filter(submission_admin_q(user=request.user))})


def _domain_error(admin_page: admin.ModelAdmin, request: HttpRequest, exc: ApplicationError) -> None:
    admin_page.message_user(request, exc.message, level=messages.ERROR)


class FormVersionInline(ScopedTabularInline):
    model = FormVersion
    rights = Rights(view=READ)
    fields = ["public_id", "version", "published_by", "published_at"]
    readonly_fields = ["public_id", "version", "published_by", "published_at"]
    can_delete = False


@admin.register(Form)
class FormAdmin(WorkspaceScopedAdmin):
    rights = Rights(view=READ, add=MANAGE, change=MANAGE)
    list_display = ["title", "workspace", "status", "public_id", "created_at"]
    list_filter = ["status"]
    list_select_related = ["workspace"]
    search_fields = ["title", "slug", "public_id"]
    readonly_fields = ["public_id", "status", "created_by", "created_at", "updated_at"]
    fields = ["workspace", "title", "slug", "description", "schema", *readonly_fields]
    inlines = [FormVersionInline]
    actions = ["publish", "archive"]

    def get_readonly_fields(self, request: HttpRequest, obj: Form | None = None) -> list[str]:
        return [*self.readonly_fields, *(["workspace", "slug"] if obj is not None else [])]

    def save_model(self, request: HttpRequest, obj: Form, form: Any, change: bool) -> None:
        if change and not form.has_changed():
            return
        try:
            if change:
                form_update(form=obj, title=obj.title, description=obj.description, schema=obj.schema)
            else:
                created = form_create(
                    workspace=obj.workspace,
                    title=obj.title,
                    slug=obj.slug,
                    description=obj.description,
                    schema=obj.schema,
                    acting_user=request.user,  # type: ignore[arg-type]
                )
                obj.pk = created.pk
                obj.refresh_from_db()
        except ApplicationError as exc:
            _domain_error(self, request, exc)

    @admin.action(description="Publish the draft schema as a new version", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Form]) -> None:
        def publish(form: Form) -> None:
            version = form_publish(form=form, acting_user=request.user)  # type: ignore[arg-type]
            self.message_user(request, f"{form}: published version {version.version}.")

        self.run_action(request, queryset, "change", publish, "Published {count} form(s).")

    @admin.action(description="Archive", permissions=["change"])
    def archive(self, request: HttpRequest, queryset: QuerySet[Form]) -> None:
        self.run_action(request, queryset, "change", lambda form: form_archive(form=form), "Archived {count} form(s).")


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


class NoteForm(forms.ModelForm):
    class Meta:
        model = SubmissionNote
        fields = ["content"]


class NoteInline(ScopedTabularInline):
    """Internal notes: members of the submission's own workspace read them, a MEMBER adds one."""

    model = SubmissionNote
    form = NoteForm
    rights = Rights(view=READ, add=REVIEW)
    fields = ["content", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return list(self.readonly_fields)


class SubmissionReviewForm(forms.ModelForm):
    class Meta:
        model = Submission
        fields = ["status"]


@admin.register(Submission)
class SubmissionAdmin(WorkspaceScopedAdmin, SimpleHistoryAdmin):
    """Reviewers read submissions here and move their status (MEMBER); data changes go through the API, so they
    are validated and snapshotted; rollback and visibility are ADMIN operations of the API."""

    rights = Rights(view=READ, change=REVIEW, delete=MANAGE)
    form = SubmissionReviewForm
    list_display = ["public_id", "form", "status", "user", "visibility_mode", "created_at"]
    list_filter = ["status", "visibility_mode"]
    list_select_related = ["form", "user", "workspace"]
    search_fields = ["public_id", "form__title", "user__username", "user__email"]
    date_hierarchy = "created_at"
    readonly_fields = ["answers", *[field.name for field in Submission._meta.fields if field.name != "status"]]
    inlines = [NoteInline]

    @admin.display(description="Answers")
    def answers(self, submission: Submission) -> str:
        """The data as a reviewer reads it, with the labels of the submission's own form version."""
        sections = display_data(submission.form_version.schema, submission.data)
        return render_to_string("submissions/_display.html", {"sections": sections})

    def scope_q(self, request: HttpRequest) -> Q:
        return submission_admin_q(user=request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Submission | None = None) -> list[str]:
        editable = obj is not None and self.has_change_permission(request, obj)
        return list(self.readonly_fields) + ([] if editable else ["status"])

    def save_model(self, request: HttpRequest, obj: Submission, form: Any, change: bool) -> None:
        if not form.has_changed():
            return
        try:
            submission_update(
                submission=obj,
                status=SubmissionStatus(form.cleaned_data["status"]),
                acting_user=request.user,  # type: ignore[arg-type]
            )
        except ApplicationError as exc:
            _domain_error(self, request, exc)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        def save(note_form: Any) -> None:
            if note_form.instance.pk is None:  # notes are added, never edited
                note_create(
                    submission=form.instance,
                    content=note_form.cleaned_data["content"],
                    acting_user=request.user,  # type: ignore[arg-type]
                )

        self.save_inline_forms(request, formset, save)

    def delete_model(self, request: HttpRequest, obj: Submission) -> None:
        submission_delete(submission=obj, acting_user=request.user)  # type: ignore[arg-type]

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """What goes with a submission (notes, grants, links) is the service's to delete, not a right of its own."""
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Read-only: a snapshot is restored through the rollback API, which rebuilds its data (a stored
        snapshot may be a delta) and records the rollback; a "Revert" here would save the raw row."""
        if request.method == "POST":
            raise PermissionDenied("Restore a snapshot with the rollback API.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


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
                matter_update(matter=obj, title=obj.title)
            return
        created = matter_create(workspace=obj.workspace, title=obj.title, number_prefix=obj.number_prefix)
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        def save(link_form: Any) -> None:
            link, data = link_form.instance, link_form.cleaned_data
            if link.pk is not None and data.get("DELETE"):
                matter_unlink_submission(link=link)
            elif link.pk is None and data.get("submission") is not None:
                matter_link_submission(matter=form.instance, submission=data["submission"])

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


class VisibilityForm(forms.ModelForm):
    """Mode and grants of one submission; the choices are the members and overseers of its workspace."""

    users = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False)
    roles = forms.MultipleChoiceField(choices=Role.choices, required=False)
    overseers = forms.ModelMultipleChoiceField(queryset=Workspace.objects.none(), required=False)

    class Meta:
        model = SubmissionVisibility
        fields = ["visibility_mode"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        submission = self.instance
        if submission.pk is None:
            return
        self.fields["users"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__workspace_id=submission.workspace_id
        )
        self.fields["overseers"].queryset = Workspace.objects.filter(  # type: ignore[attr-defined]
            pk__in=overseer_workspace_ids(overseen_id=submission.workspace_id)
        )
        grants = list(submission.grants.all())
        self.initial["users"] = [g.target_user_id for g in grants if g.target_type == GrantTargetType.USER]
        self.initial["roles"] = [g.target_role for g in grants if g.target_type == GrantTargetType.WORKSPACE_ROLE]
        self.initial["overseers"] = [
            g.target_workspace_id for g in grants if g.target_type == GrantTargetType.OVERSIGHT_WORKSPACE
        ]

    def grants(self) -> list[GrantRequest]:
        data = self.cleaned_data
        return [
            *(GrantRequest(target_type=GrantTargetType.USER, target_id=str(user.pk)) for user in data["users"]),
            *(GrantRequest(target_type=GrantTargetType.WORKSPACE_ROLE, target_id=role) for role in data["roles"]),
            *(
                GrantRequest(target_type=GrantTargetType.OVERSIGHT_WORKSPACE, target_id=str(workspace.public_id))
                for workspace in data["overseers"]
            ),
        ]


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

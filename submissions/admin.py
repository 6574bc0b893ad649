from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from config.errors import ApplicationError
from submissions.formschema import display_data
from submissions.models import Form, FormVersion, Matter, MatterSubmission, ShareLink, Submission, SubmissionNote
from submissions.services import form_archive, form_create, form_publish, form_update, matter_create
from workspaces.admin import WorkspaceScopedAdmin


class FormVersionInline(admin.TabularInline):
    model = FormVersion
    extra = 0
    fields = ["public_id", "version", "published_by", "published_at"]
    readonly_fields = ["public_id", "version", "published_by", "published_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Form)
class FormAdmin(WorkspaceScopedAdmin):
    list_display = ["title", "workspace", "status", "public_id", "created_at"]
    list_filter = ["status"]
    list_select_related = ["workspace"]
    search_fields = ["title", "slug", "public_id"]
    readonly_fields = ["public_id", "status", "created_by", "created_at", "updated_at"]
    fields = ["workspace", "title", "slug", "description", "schema", *readonly_fields]
    inlines = [FormVersionInline]
    actions = ["publish", "archive"]

    def save_model(self, request: HttpRequest, obj: Form, form: Any, change: bool) -> None:
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
            self.message_user(request, exc.message, level=messages.ERROR)

    @admin.action(description="Publish the draft schema as a new version")
    def publish(self, request: HttpRequest, queryset: QuerySet[Form]) -> None:
        for form in queryset:
            try:
                version = form_publish(form=form, acting_user=request.user)  # type: ignore[arg-type]
                self.message_user(request, f"{form}: published version {version.version}.")
            except ApplicationError as exc:
                self.message_user(request, f"{form}: {exc.message}", level=messages.ERROR)

    @admin.action(description="Archive")
    def archive(self, request: HttpRequest, queryset: QuerySet[Form]) -> None:
        for form in queryset:
            form_archive(form=form)
        self.message_user(request, f"Archived {queryset.count()} form(s).")


@admin.register(FormVersion)
class FormVersionAdmin(WorkspaceScopedAdmin):
    """Published versions are immutable: read-only here."""

    workspace_lookup = "form__workspace"
    list_display = ["form", "version", "public_id", "published_at"]
    list_select_related = ["form"]
    readonly_fields = ["public_id", "form", "version", "schema", "published_by", "published_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoteInline(admin.TabularInline):
    model = SubmissionNote
    extra = 0
    fields = ["content", "author", "created_at"]
    readonly_fields = ["content", "author", "created_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(WorkspaceScopedAdmin, SimpleHistoryAdmin):
    """Reviewers read submissions here; changes go through the API so they are validated and snapshotted."""

    list_display = ["public_id", "form", "status", "user", "visibility_mode", "created_at"]
    list_filter = ["status", "visibility_mode"]
    list_select_related = ["form", "user", "workspace"]
    search_fields = ["public_id", "form__title", "user__username", "user__email"]
    date_hierarchy = "created_at"
    readonly_fields = ["answers", *[field.name for field in Submission._meta.fields]]
    inlines = [NoteInline]

    @admin.display(description="Answers")
    def answers(self, submission: Submission) -> str:
        """The data as a reviewer reads it, with the labels of the submission's own form version."""
        sections = display_data(submission.form_version.schema, submission.data)
        return render_to_string("submissions/_display.html", {"sections": sections})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

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


class MatterSubmissionInline(admin.TabularInline):
    model = MatterSubmission
    extra = 0
    raw_id_fields = ["submission"]


@admin.register(Matter)
class MatterAdmin(WorkspaceScopedAdmin):
    list_display = ["__str__", "workspace", "public_id", "created_at"]
    list_select_related = ["workspace"]
    search_fields = ["title", "public_id"]
    readonly_fields = ["public_id", "number", "created_at"]
    fields = ["workspace", "number_prefix", "title", *readonly_fields]
    inlines = [MatterSubmissionInline]

    def save_model(self, request: HttpRequest, obj: Matter, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = matter_create(workspace=obj.workspace, title=obj.title, number_prefix=obj.number_prefix)
        obj.pk = created.pk
        obj.refresh_from_db()


@admin.register(ShareLink)
class ShareLinkAdmin(WorkspaceScopedAdmin):
    workspace_lookup = "submission__workspace"
    list_display = ["submission", "email", "created_by", "created_at", "expires_at", "revoked_at"]
    list_select_related = ["submission", "created_by"]
    readonly_fields = ["submission", "email", "created_by", "created_at", "expires_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke selected links")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ShareLink]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} link(s).")

"""Forms in the admin: the schema editor (errors in plain words beside the field), publish from the form's page,
and a link to the form's preview on the one renderer (``submissions.views.form_preview``)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from config.errors import ApplicationError, ValidationFailed
from submissions.admin_public import public_form_path
from submissions.constants import FormStatus
from submissions.formschema import validate_form_schema
from submissions.models import Form, FormVersion
from submissions.services import form_archive, form_create, form_publish, form_slug_check, form_update
from workspaces.access import MANAGE, READ, Rights
from workspaces.admin_base import ScopedTabularInline, WorkspaceScopedAdmin

SLUG_FIXED = "Fixed once the form exists: API clients and links name the form by it. Make a new form for a new slug."


def schema_problems(schema: Any) -> list[str]:
    """What is wrong with a draft schema, in sentences (empty when it can be published)."""
    if not isinstance(schema, dict):
        return ['The schema must be a JSON object with a "fields" list, e.g. {"fields": []}.']
    try:
        validate_form_schema(schema)
    except ValidationFailed as exc:
        found = [
            str(message)
            for messages_ in (exc.details or {}).values()
            if isinstance(messages_, list)
            for message in messages_
        ]
        return [problem[:1].upper() + problem[1:] for problem in found or [exc.message]]
    return []


class FormSchemaForm(forms.ModelForm):
    """The draft's fields; the schema is checked by the field-type package before anything is saved."""

    schema = forms.JSONField(
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "class": "vLargeTextField", "spellcheck": "false"}),
        help_text='The draft: {"fields": [...], "sections": [...]}. Publishing freezes it as the next version.',
        error_messages={"invalid": "This is not valid JSON: check for a missing comma, quote or bracket."},
    )

    class Meta:
        model = Form
        fields = ["workspace", "title", "slug", "description", "is_public", "schema"]

    def clean_schema(self) -> Any:
        schema = self.cleaned_data.get("schema")
        problems = schema_problems(schema)
        if problems:
            raise forms.ValidationError(problems)
        return schema

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        workspace, slug = data.get("workspace"), data.get("slug")
        if self.instance.pk is None and workspace is not None and slug:
            try:
                form_slug_check(workspace=workspace, slug=slug)
            except ValidationFailed as exc:
                self.add_error("slug", exc.message)
        return data

    def validate_unique(self) -> None:
        """The slug's uniqueness is the service's rule (asked in ``clean``); the database constraint stays the guard."""


class FormVersionInline(ScopedTabularInline):
    model = FormVersion
    rights = Rights(view=READ)
    fields = ["public_id", "version", "published_by", "published_at"]
    readonly_fields = ["public_id", "version", "published_by", "published_at"]
    can_delete = False


@admin.register(Form)
class FormAdmin(WorkspaceScopedAdmin):
    rights = Rights(view=READ, add=MANAGE, change=MANAGE)
    form = FormSchemaForm
    list_display = ["title", "workspace", "status", "is_public", "public_id", "created_at"]
    list_filter = ["status", "is_public"]
    list_select_related = ["workspace"]
    search_fields = ["title", "slug", "public_id"]
    readonly_fields = ["public_id", "status", "created_by", "created_at", "updated_at"]
    fields = ["workspace", "title", "slug", "description", "is_public", "schema", *readonly_fields]
    inlines = [FormVersionInline]
    actions = ["publish", "archive"]

    def get_fields(self, request: HttpRequest, obj: Form | None = None) -> Any:
        if obj is None:
            return ["workspace", "title", "slug", "description", "is_public", "schema"]
        return [
            "workspace",
            "title",
            "slug_fixed",
            "description",
            "is_public",
            "public_page",
            "schema",
            *self.readonly_fields,
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Form | None = None) -> list[str]:
        return [*self.readonly_fields, *(["workspace", "slug_fixed", "public_page"] if obj is not None else [])]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is not None:  # the slug is not a field of the change form: it cannot be changed (see slug_fixed)
            kwargs["fields"] = ["title", "description", "is_public", "schema"]
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description="Slug")
    def slug_fixed(self, obj: Form) -> str:
        return f"{obj.slug} — {SLUG_FIXED}"

    @admin.display(description="Public page")
    def public_page(self, obj: Form) -> str:
        """Where clients fill it in (invitations: see Form invitations)."""
        if not obj.is_public:
            return "Closed: only invitation links open it (Public form invitations)."
        if obj.status != FormStatus.PUBLISHED:
            return "Open once the form is published."
        url = public_form_path(obj.workspace.slug, obj.slug)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    def save_model(self, request: HttpRequest, obj: Form, form: Any, change: bool) -> None:
        if change and not form.has_changed():
            return
        try:
            if change:
                form_update(
                    form=obj,
                    title=obj.title,
                    description=obj.description,
                    schema=obj.schema,
                    is_public=obj.is_public,
                    acting_user=request.user,  # type: ignore[arg-type]
                )
            else:
                created = form_create(
                    workspace=obj.workspace,
                    title=obj.title,
                    slug=obj.slug,
                    description=obj.description,
                    schema=obj.schema,
                    is_public=obj.is_public,
                    acting_user=request.user,  # type: ignore[arg-type]
                )
                obj.pk = created.pk
                obj.refresh_from_db()
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/publish/", wrap(self.publish_view), name="submissions_form_publish"),
            *super().get_urls(),
        ]

    def _form_or_403(self, request: HttpRequest, object_id: str) -> Form:
        form = self.get_object(request, object_id)
        if form is None or not self.has_change_permission(request, form):
            raise PermissionDenied
        return form

    def publish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        form = self._form_or_403(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            version = form_publish(form=form, acting_user=request.user)  # type: ignore[arg-type]
        except ApplicationError as exc:
            problems = schema_problems(form.schema)
            self.message_user(request, " ".join([exc.message, *problems[:3]]), level=messages.ERROR)
        else:
            self.message_user(request, f"Published version {version.version}: new links and submissions use it.")
        return HttpResponseRedirect(reverse("admin:submissions_form_change", args=[form.pk]))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> Any:
        context = dict(extra_context or {})
        form = self.get_object(request, object_id)
        if form is not None:
            latest = form.versions.order_by("-version").values_list("version", "schema").first()
            context["next_version"] = (latest[0] if latest else 0) + 1
            context["draft_unpublished"] = latest is None or json.dumps(latest[1], sort_keys=True) != json.dumps(
                form.schema, sort_keys=True
            )
            context["may_publish"] = self.has_change_permission(request, form)
            context["preview_url"] = reverse("submissions:form-preview", args=[form.public_id])
        return super().change_view(request, object_id, form_url, extra_context=context)

    @admin.action(description="Publish the draft schema as a new version", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Form]) -> None:
        def publish(form: Form) -> None:
            version = form_publish(form=form, acting_user=request.user)  # type: ignore[arg-type]
            self.message_user(request, f"{form}: published version {version.version}.")

        self.run_action(request, queryset, "change", publish, "Published {count} form(s).")

    @admin.action(description="Archive", permissions=["change"])
    def archive(self, request: HttpRequest, queryset: QuerySet[Form]) -> None:
        def archive(form: Form) -> None:
            form_archive(form=form, acting_user=request.user)  # type: ignore[arg-type]

        self.run_action(request, queryset, "change", archive, "Archived {count} form(s).")

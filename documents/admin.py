"""Documents in the admin: what arrived and what the checks found, a preview, a short-lived download and a
re-check; the rows follow the user's workspace roles (``workspaces.admin_base``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from config.errors import ApplicationError
from documents.access import document_hidden_q
from documents.links import document_download_url, document_thumbnail_url, size_formatted
from documents.models import Document
from documents.scanning import document_reverify
from workspaces.access import READ, REVIEW, Rights
from workspaces.admin_base import WorkspaceScopedAdmin


@admin.register(Document)
class DocumentAdmin(WorkspaceScopedAdmin, SimpleHistoryAdmin):
    """Read-only (documents change through the upload flows); a MEMBER may have a file checked again."""

    rights = Rights(view=READ, change=REVIEW)
    change_form_template = "admin/documents/document/change_form.html"

    class Media:
        css = {"all": ["css/admin_documents.css"]}

    list_display = [
        "thumbnail",
        "original_name",
        "workspace",
        "status",
        "problem",
        "scan_status",
        "content_type",
        "size_display",
        "source",
        "created_at",
    ]
    list_display_links = ["original_name"]
    list_filter = ["status", "problem", "scan_status", "source", "content_type"]
    list_select_related = ["workspace"]
    search_fields = ["original_name", "key", "uuid", "sha256"]
    date_hierarchy = "created_at"
    actions = ["reverify"]
    fieldsets = [
        (None, {"fields": ["preview", "original_name", "content_type", "size_display", "download", "workspace"]}),
        (
            "Verification",
            {
                "fields": [
                    "status",
                    "verification",
                    "scan_status",
                    "scan_reason",
                    "scanned_at",
                    "checksum",
                    "uploaded_at",
                ]
            },
        ),
        (
            "Storage",
            {
                "classes": ["collapse"],
                "fields": [
                    "uuid",
                    "source",
                    "key",
                    "final_key",
                    "sanitized_name",
                    "min_size",
                    "max_size",
                    "etag",
                    "is_public",
                    "metadata",
                    "upload_expires_at",
                    "thumbnail_key",
                    "created_by",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
    readonly_fields = [
        *(field.name for field in Document._meta.fields),
        "preview",
        "download",
        "size_display",
        "verification",
        "checksum",
    ]

    def scope_q(self, request: HttpRequest) -> Q:
        """The workspaces' documents, less those the records they belong to keep from the user."""
        return super().scope_q(request) & ~document_hidden_q(user=request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # documents are created by the upload flows only

    def has_change_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False  # no field is edited here; re-checking is its own right

    def has_delete_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False  # an object in S3 and the records pointing at it go together, not from here

    def has_reverify_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return self.user_may(request, "change", obj)

    # --- What a reviewer reads

    @admin.display(description="Size", ordering="size")
    def size_display(self, document: Document) -> str:
        return size_formatted(document.size) or "-"

    @admin.display(description="SHA-256")
    def checksum(self, document: Document) -> str:
        """Of the final object, computed by S3: what a downloaded copy can be checked against."""
        return document.sha256 or "-"

    @admin.display(description="Result")
    def verification(self, document: Document) -> str:
        """What the upload check found: accepted, or why not."""
        if document.status == "UPLOADED":
            return "Accepted: size, type and content match what was declared."
        if document.status == "REJECTED":
            return f"Rejected ({document.get_problem_display()}): {document.rejection_reason}"
        if document.upload_expired:
            return "Not received before the upload link expired."
        return "Waiting for the upload."

    def _thumbnail(self, document: Document, size: int) -> str:
        if not document.servable:
            return "-"
        return format_html(
            '<img src="{}" alt="Preview of {}" width="{}" height="{}" class="document-thumbnail">',
            document_thumbnail_url(document),
            document.original_name,
            size,
            size,
        )

    @admin.display(description="")
    def thumbnail(self, document: Document) -> str:
        return self._thumbnail(document, 40)

    @admin.display(description="Preview")
    def preview(self, document: Document) -> str:
        if not document.servable:
            state = document.get_scan_status_display() if document.final_key else document.get_status_display()
            return f"- (not served: {state})"
        return self._thumbnail(document, 160)

    @admin.display(description="Download")
    def download(self, document: Document) -> str:
        url = document_download_url(document)
        if url is None:
            return f"- ({document.get_scan_status_display()})" if document.status == "UPLOADED" else "-"
        return format_html('<a href="{}" target="_blank" rel="noopener">Download (link valid 15 minutes)</a>', url)

    # --- Re-checking

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}_reverify"
        return [
            path("<path:object_id>/reverify/", self.admin_site.admin_view(self.reverify_view), name=name),
            *super().get_urls(),
        ]

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        context["may_reverify"] = self.has_reverify_permission(request, context.get("original"))
        return super().render_change_form(request, context, *args, **kwargs)

    def reverify_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        document = self.get_object(request, unquote(object_id))
        if document is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_reverify_permission(request, document):
            raise PermissionDenied("Your role in this workspace does not allow re-checking files.")
        try:
            outcome = document_reverify(document=document)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, outcome, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:documents_document_change", args=[document.pk]))

    @admin.action(description="Check the selected files again", permissions=["reverify"])
    def reverify(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        self.run_action(
            request,
            queryset,
            "change",
            lambda document: document_reverify(document=document),
            "Asked for {count} check(s); the results show on each file.",
        )

from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from documents.access import document_hidden_q
from documents.links import document_download_url
from documents.models import Document
from workspaces.access import READ, Rights
from workspaces.admin_base import WorkspaceScopedAdmin


@admin.register(Document)
class DocumentAdmin(WorkspaceScopedAdmin, SimpleHistoryAdmin):
    """Read-only: documents change through the upload flows only."""

    rights = Rights(view=READ)
    list_display = [
        "original_name",
        "workspace",
        "status",
        "problem",
        "scan_status",
        "content_type",
        "size",
        "source",
        "created_at",
    ]
    list_filter = ["status", "problem", "scan_status", "source", "content_type"]
    list_select_related = ["workspace"]
    search_fields = ["original_name", "key", "uuid", "sha256"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Document._meta.fields] + ["download"]

    def scope_q(self, request: HttpRequest) -> Q:
        """The workspaces' documents, less those the records they belong to keep from the user."""
        return super().scope_q(request) & ~document_hidden_q(user=request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # documents are created by the upload flows only

    def has_change_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False  # an object in S3 and the records pointing at it go together, not from here

    @admin.display(description="Download")
    def download(self, document: Document) -> str:
        url = document_download_url(document)
        if url is None:
            return f"- ({document.get_scan_status_display()})" if document.status == "UPLOADED" else "-"
        return format_html('<a href="{}" target="_blank" rel="noopener">Open file</a>', url)

"""Subject records in the admin: what a reviewer reads (data, relations both ways, files); nothing to edit."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from documents.constants import DocumentStatus
from documents.links import document_download_url
from workflows.models import Relation, SubjectRecord, SubjectRecordDocument
from workflows.selectors.ownership import subject_record_name
from workspaces.access import READ, Rights
from workspaces.admin_base import ScopedTabularInline, WorkspaceScopedAdmin


class ReadOnlyInline(ScopedTabularInline):
    rights = Rights(view=READ)
    can_delete = False


class OutgoingRelationInline(ReadOnlyInline):
    model = Relation
    fk_name = "from_record"
    verbose_name_plural = "is related to"
    readonly_fields = (
        "role",
        "to_record",
        "ownership_percentage",
        "created_at",
    )
    fields = readonly_fields


class IncomingRelationInline(ReadOnlyInline):
    model = Relation
    fk_name = "to_record"
    verbose_name_plural = "related parties"
    readonly_fields = (
        "from_record",
        "role",
        "ownership_percentage",
        "created_at",
    )
    fields = readonly_fields


class DocumentInline(ReadOnlyInline):
    model = SubjectRecordDocument
    readonly_fields = (
        "public_id",
        "field_name",
        "file",
        "status",
        "created_at",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("document")

    @admin.display(description="File")
    def file(self, link: SubjectRecordDocument) -> str:
        document = link.document
        url = document_download_url(document)
        if url is None:
            return document.original_name
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, document.original_name)

    @admin.display(description="Upload")
    def status(self, link: SubjectRecordDocument) -> str:
        document = link.document
        if document.status == DocumentStatus.UPLOADED:  # accepted: what the scan says
            checksum = f"SHA-256 {document.sha256}" if document.sha256 else ""
            return " ".join(
                part for part in (document.get_scan_status_display(), document.scan_reason, checksum) if part
            )
        reason = f"({document.get_problem_display()})" if document.problem else ""
        checksum = f"SHA-256 {document.sha256}" if document.sha256 else ""
        return " ".join(
            part for part in (document.get_status_display(), reason, document.rejection_reason, checksum) if part
        )


@admin.register(SubjectRecord)
class SubjectRecordAdmin(WorkspaceScopedAdmin, SimpleHistoryAdmin):
    rights = Rights(view=READ)
    list_display = ["public_id", "reference", "customer_type", "display_name", "workspace", "created_at"]
    list_filter = ["customer_type"]
    list_select_related = ["workspace"]
    search_fields = ["public_id", "reference"]
    date_hierarchy = "created_at"
    readonly_fields = (
        "public_id",
        "workspace",
        "customer_type",
        "reference",
        "data_table",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = [IncomingRelationInline, OutgoingRelationInline, DocumentInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # records come from public actions and the workflow API

    def has_change_permission(self, request: HttpRequest, obj: SubjectRecord | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SubjectRecord | None = None) -> bool:
        return False

    @admin.display(description="Name")
    def display_name(self, record: SubjectRecord) -> str:
        return subject_record_name(record)

    @admin.display(description="Data")
    def data_table(self, record: SubjectRecord) -> str:
        rows = [
            (key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
            for key, value in sorted((record.data or {}).items())
        ]
        if not rows:
            return "-"
        return format_html("<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows))

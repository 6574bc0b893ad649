"""GET /api/submissions/export: the list's submissions (same filters, same visibility) as one CSV, XLSX or CSV ZIP."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from config.parsing import parse
from config.query import FormatParameterNegotiation
from submissions import selectors
from submissions.api import serializers as s
from submissions.api.views import list_filters
from submissions.constants import ExportFormat
from submissions.exports import submission_export
from workspaces.access import REVIEW, require_role
from workspaces.permissions import workspace_context

DESCRIPTION = """MEMBER and up (a bulk read is a reviewer's). Every submission `GET /api/submissions` would list
with the same filters and sort (visibility applies), one row each: id, status, form, form version, created,
updated, submitter, assignee, review state (`Unassigned`, `Assigned, not opened`, `In review`), then one column
per field of the exported form versions, headed by its label, each value as the admin shows it.

Repeatable sections and table_fill fields are tables of their own, joined by `Submission ID` (and `Row`): with
`format=xlsx` a sheet each; with `format=csv` a ZIP (`application/zip`) of `submissions.csv` and one CSV per table,
or a single CSV (`text/csv`) when the forms have no such table. Streamed: memory does not grow with the rows.
Every export is recorded in the audit log (`submissions_exported`, with its filters)."""


class SubmissionExportQuerySerializer(s.SubmissionListQuerySerializer):
    page = None  # type: ignore[assignment]
    limit = None  # type: ignore[assignment]
    cursor = None  # type: ignore[assignment]
    format = serializers.ChoiceField(choices=ExportFormat.choices, help_text="csv (or a CSV ZIP) or xlsx.")


class SubmissionExportView(APIView):
    content_negotiation_class = FormatParameterNegotiation

    @extend_schema(
        operation_id="submissions_export",
        summary="Export the list's submissions as CSV or XLSX.",
        description=DESCRIPTION,
        parameters=[SubmissionExportQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One CSV (no tables)."),
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV files, one per table."),
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                OpenApiTypes.BINARY, description="A workbook, a sheet per table."
            ),
        },
        tags=["Submissions"],
    )
    def get(self, request: Request) -> Any:
        context = workspace_context(request)
        require_role(context, REVIEW)
        query = parse(SubmissionExportQuerySerializer, request.query_params)
        submissions = selectors.submission_export_queryset(context=context, filters=list_filters(query))
        export = submission_export(
            submissions=submissions,
            export_format=ExportFormat(query["format"]),
            workspace_ids=[context.workspace.pk],
            acting_user=context.user,
            via="api",
            filters={key: str(value) for key, value in request.query_params.items() if key in query},
        )
        return export.response()

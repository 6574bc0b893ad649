"""GET /api/submissions/export: the list's submissions (same filters, same visibility) as one CSV, XLSX or CSV ZIP;
a large one (or one asked for with ``async=true``, or ``POST /api/submissions/exports``) runs as a job: its
resource is polled for state and progress, and ``.../download`` hands out a short-lived link to the file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.parsing import parse
from config.query import FormatParameterNegotiation
from config.schema import ErrorSerializer, conflict
from submissions import export_jobs, selectors
from submissions.api import serializers as s
from submissions.api.views import list_filters
from submissions.constants import ExportFormat, ExportJobState
from submissions.exports import submission_export
from submissions.models import ExportJob
from workspaces.access import REVIEW, require_role
from workspaces.context import WorkspaceContext
from workspaces.permissions import workspace_context

JOB_LIST_LIMIT = 50

DESCRIPTION = """MEMBER and up (a bulk read is a reviewer's). Every submission `GET /api/submissions` would list
with the same filters and sort (visibility applies), one row each: id, status, form, form version, created,
updated, submitter, assignee, review state (`Unassigned`, `Assigned, not opened`, `In review`), then one column
per field of the exported form versions, headed by its label, each value as the admin shows it.

Repeatable sections and table_fill fields are tables of their own, joined by `Submission ID` (and `Row`): with
`format=xlsx` a sheet each; with `format=csv` a ZIP (`application/zip`) of `submissions.csv` and one CSV per table,
or a single CSV (`text/csv`) when the forms have no such table. Streamed: memory does not grow with the rows.
Every export is recorded in the audit log (`submissions_exported`, with its filters).

More than `EXPORT_ASYNC_THRESHOLD_ROWS` (10,000) matching submissions, or `async=true`: the answer is a 202 with
an export job instead of the file (as `POST /api/submissions/exports` answers)."""


class SubmissionExportQuerySerializer(s.SubmissionListQuerySerializer):
    page = None  # type: ignore[assignment]
    limit = None  # type: ignore[assignment]
    cursor = None  # type: ignore[assignment]
    format = serializers.ChoiceField(choices=ExportFormat.choices, help_text="csv (or a CSV ZIP) or xlsx.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["async"] = serializers.BooleanField(  # a keyword: no class attribute can be named so
            required=False, default=False, help_text="true: always answer a job (202), whatever the size."
        )
        return fields


class ExportJobCreateSerializer(SubmissionExportQuerySerializer):
    """The body of POST /api/submissions/exports: the export's query as JSON (always a job: no ``async``)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields.pop("async")
        return fields

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, Mapping):  # DRF's own refusal of a body that is no object (a 400)
            return serializers.Serializer.to_internal_value(self, data)
        return super().to_internal_value(data)


def _absolute(request: Request, path: str) -> str:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


class ExportJobProgressSerializer(serializers.Serializer[Any]):
    rowsDone = serializers.IntegerField(source="rows_done")
    rowsTotal = serializers.IntegerField(source="rows_total", allow_null=True, help_text="Known once it runs.")


class ExportJobSerializer(serializers.Serializer[Any]):
    jobId = serializers.CharField(source="public_id")
    state = serializers.ChoiceField(choices=ExportJobState.choices)
    format = serializers.CharField(source="export_format")
    progress = ExportJobProgressSerializer(source="*")
    fileName = serializers.CharField(source="file_name", help_text="Set when done.")
    sizeBytes = serializers.IntegerField(source="size_bytes", allow_null=True)
    error = serializers.CharField(help_text="Why it failed (state `failed`).")
    createdAt = s.IsoDateTimeField(source="created_at")
    startedAt = s.IsoDateTimeField(source="started_at", allow_null=True)
    finishedAt = s.IsoDateTimeField(source="finished_at", allow_null=True)
    expiresAt = s.IsoDateTimeField(source="expires_at", allow_null=True, help_text="The file is handed out until.")
    url = serializers.SerializerMethodField(help_text="This resource (poll it).")
    downloadUrl = serializers.SerializerMethodField(help_text="When done: GET it for a short-lived link to the file.")

    def get_url(self, job: ExportJob) -> str:
        return _absolute(self.context["request"], reverse("export-job-detail", args=[job.public_id]))

    def get_downloadUrl(self, job: ExportJob) -> str | None:
        if job.state != ExportJobState.DONE:
            return None
        return _absolute(self.context["request"], reverse("export-job-download", args=[job.public_id]))


class ExportJobResponseSerializer(serializers.Serializer[Any]):
    success = serializers.BooleanField(default=True, read_only=True)
    job = ExportJobSerializer()


class ExportJobListResponseSerializer(serializers.Serializer[Any]):
    success = serializers.BooleanField(default=True, read_only=True)
    jobs = ExportJobSerializer(many=True)


class ExportJobDownloadSerializer(serializers.Serializer[Any]):
    success = serializers.BooleanField(default=True, read_only=True)
    url = serializers.URLField(help_text="A presigned S3 GET of the file, valid for `expiresIn` seconds.")
    expiresIn = serializers.IntegerField()
    fileName = serializers.CharField()


def _job_response(request: Request, job: ExportJob, *, created: bool = False) -> Response:
    body = ExportJobResponseSerializer({"job": job}, context={"request": request}).data
    if not created:
        return Response(body)
    response = Response(body, status=status.HTTP_202_ACCEPTED)
    response["Location"] = body["job"]["url"]
    return response


def _job_start(request: Request, context: WorkspaceContext, query: dict[str, Any], sent: Any) -> Response:
    """Start a job for the parsed export ``query`` (``sent``: the body or query string it came from) and answer 202."""
    job = export_jobs.export_job_create(
        context=context,
        export_format=ExportFormat(query["format"]),
        filters=list_filters(query),
        query={key: str(value) for key, value in sent.items() if key in query},
        via="api",
        page_url=_absolute(request, reverse("admin:submissions_exportjob_changelist")) if context.user else "",
    )
    return _job_response(request, job, created=True)


class SubmissionExportView(APIView):
    content_negotiation_class = FormatParameterNegotiation

    @extend_schema(
        operation_id="submissions_export",
        summary="Export the list's submissions as CSV or XLSX (a job when large).",
        description=DESCRIPTION,
        parameters=[SubmissionExportQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One CSV (no tables)."),
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV files, one per table."),
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                OpenApiTypes.BINARY, description="A workbook, a sheet per table."
            ),
            (202, "application/json"): OpenApiResponse(
                ExportJobResponseSerializer, description="Too large to stream (or `async=true`): an export job."
            ),
        },
        tags=["Submissions"],
    )
    def get(self, request: Request) -> Any:
        context = workspace_context(request)
        require_role(context, REVIEW)
        query = parse(SubmissionExportQuerySerializer, request.query_params)
        submissions = selectors.submission_export_queryset(context=context, filters=list_filters(query))
        threshold = settings.EXPORT_ASYNC_THRESHOLD_ROWS
        if query["async"] or submissions.order_by().values("pk")[: threshold + 1].count() > threshold:
            return _job_start(request, context, query, request.query_params)
        export = submission_export(
            submissions=submissions,
            export_format=ExportFormat(query["format"]),
            workspace_ids=[context.workspace.pk],
            acting_user=context.user,
            via="api",
            filters={key: str(value) for key, value in request.query_params.items() if key in query},
        )
        return export.response()


class ExportJobListView(APIView):
    @extend_schema(
        operation_id="export_jobs_create",
        summary="Start an export job (CSV, CSV ZIP or XLSX written to S3).",
        description=(
            "MEMBER and up. The body takes `format` and the filters and sort of `GET /api/submissions`, as JSON. "
            "Answers 202 with the job (and `Location`); poll it until `state` is `done` (or `failed`), then GET "
            "its `downloadUrl`. The worker exports what the requester may see when it runs. Audited "
            "(`submissions_exported`, with the job id); a member is e-mailed when it is done."
        ),
        request=ExportJobCreateSerializer,
        responses={202: ExportJobResponseSerializer},
        tags=["Submissions"],
    )
    def post(self, request: Request) -> Response:
        context = workspace_context(request)
        require_role(context, REVIEW)
        query = parse(ExportJobCreateSerializer, request.data)
        return _job_start(request, context, query, request.data)

    @extend_schema(
        operation_id="export_jobs_list",
        summary="Your export jobs, newest first (at most 50).",
        responses=ExportJobListResponseSerializer,
        tags=["Submissions"],
    )
    def get(self, request: Request) -> Response:
        jobs = export_jobs.export_jobs_of(context=workspace_context(request))[:JOB_LIST_LIMIT]
        return Response(ExportJobListResponseSerializer({"jobs": jobs}, context={"request": request}).data)


class ExportJobDetailView(APIView):
    @extend_schema(
        operation_id="export_jobs_get",
        summary="Poll an export job: state, progress, and the download link when done.",
        description="Only its requester (the member, or the API key acting on its own) sees a job; others get a 404.",
        responses=ExportJobResponseSerializer,
        tags=["Submissions"],
    )
    def get(self, request: Request, job_id: str) -> Response:
        job = export_jobs.export_job_get(context=workspace_context(request), public_id=job_id)
        return _job_response(request, job)


class ExportJobDownloadView(APIView):
    @extend_schema(
        operation_id="export_jobs_download",
        summary="A short-lived link to a finished export's file (audited).",
        description=(
            "A presigned S3 GET, valid `EXPORT_LINK_TTL_SECONDS` (300 s by default); each link issued is an "
            "`export_downloaded` audit row. 409 `EXPORT_NOT_READY` before the job is done (or when it failed), "
            "410 `EXPORT_EXPIRED` after `expiresAt`."
        ),
        responses={
            200: ExportJobDownloadSerializer,
            409: conflict("The job is not done, or it failed (EXPORT_NOT_READY)."),
            410: OpenApiResponse(ErrorSerializer, description="The file has expired (EXPORT_EXPIRED)."),
        },
        tags=["Submissions"],
    )
    def get(self, request: Request, job_id: str) -> Response:
        job = export_jobs.export_job_get(context=workspace_context(request), public_id=job_id)
        url = export_jobs.export_job_download_url(job=job, via="api")
        body = {"url": url, "expiresIn": settings.EXPORT_LINK_TTL_SECONDS, "fileName": job.file_name}
        return Response(ExportJobDownloadSerializer(body).data)

"""GET /api/audit: the workspace's audit log for ADMIN/OWNER, as JSON pages or one streamed CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.api.serializers import AuditPageSerializer, AuditQuerySerializer
from audit.constants import EXPORT_FIELDS, AuditAction
from audit.models import AuditEvent
from audit.selectors import audit_event_list
from audit.services import audit_record
from config.parsing import parse
from config.query import FormatParameterNegotiation
from workspaces.access import MANAGE, require_role
from workspaces.permissions import workspace_context

CSV_CHUNK_ROWS = 2000


class _Echo:
    """A file-like object whose ``write`` hands the line back, so ``csv.writer`` feeds a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def _export_rows(events: Any) -> Iterator[list[Any]]:
    for *head, details in events.values_list(*EXPORT_FIELDS).iterator(chunk_size=CSV_CHUNK_ROWS):
        yield [*head, json.dumps(details, sort_keys=True, ensure_ascii=False)]


class AuditListView(APIView):
    content_negotiation_class = FormatParameterNegotiation

    @extend_schema(
        operation_id="audit_list",
        summary="The workspace's audit log, newest first (ADMIN/OWNER); format=csv streams every matching row.",
        description="Every call is itself recorded (action `audit_read`, with its filters).",
        parameters=[AuditQuerySerializer],
        responses={
            (200, "application/json"): AuditPageSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Every matching row, one per line."),
        },
        tags=["Audit"],
    )
    def get(self, request: Request) -> Any:
        context = workspace_context(request)
        require_role(context, MANAGE)
        query = parse(AuditQuerySerializer, request.query_params)
        events = audit_event_list(
            workspace_id=context.workspace.pk,
            action=query.get("action"),
            target_type=query.get("targetType"),
            target_id=query.get("targetId"),
            actor=query.get("actor"),
            since=query.get("since"),
            until=query.get("until"),
            before_id=query.get("beforeId"),
        )
        audit_record(
            action=AuditAction.AUDIT_READ,
            workspace_id=context.workspace.pk,
            acting_user=context.user,
            target_type="audit_log",
            details={key: str(value) for key, value in query.items()},
        )
        if query["format"] == "csv":
            response = StreamingHttpResponse(csv_lines(EXPORT_FIELDS, _export_rows(events)), content_type="text/csv")
            response["Content-Disposition"] = 'attachment; filename="audit.csv"'
            return response
        page: list[AuditEvent] = list(events[: query["limit"] + 1])
        more = len(page) > query["limit"]
        page = page[: query["limit"]]
        body = {"events": page, "nextBeforeId": page[-1].pk if more and page else None}
        return Response(AuditPageSerializer(body).data)

"""The evidence pack API: ask for a workflow's or a submission's pack (a job), poll it, get its links."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.parsing import parse
from config.schema import ErrorSerializer, conflict
from evidence.access import evidence_pack_get
from evidence.api.serializers import (
    EvidencePackLinksSerializer,
    EvidencePackPageSerializer,
    EvidencePackQuerySerializer,
    EvidencePackSerializer,
)
from evidence.constants import PackSubject
from evidence.selectors import evidence_pack_list
from evidence.services import evidence_pack_links, evidence_pack_request
from workspaces.permissions import IsWorkspaceMember, workspace_context

TAGS = ["Evidence packs"]
_QUEUED = OpenApiResponse(EvidencePackSerializer, description="The pack is queued; poll it until READY.")
_DESCRIPTION = (
    "A worker writes the pack: one PDF and the same content as JSON (the data as the reviewer sees it, the parties "
    "and ownership, every document with its SHA-256, verification and scan result, every decision with its reviewer, "
    "reason and the submission version it was made on, and the timeline). Needs the MEMBER role or higher and sight "
    "of the subject (a restricted submission not granted to the caller is a 404). The request is audited."
)


def _request(request: Request, subject_type: PackSubject, subject_id: str) -> Response:
    pack = evidence_pack_request(context=workspace_context(request), subject_type=subject_type, subject_id=subject_id)
    return Response(EvidencePackSerializer(pack).data, status=status.HTTP_202_ACCEPTED)


class WorkflowEvidencePackView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(
        operation_id="workflow_evidence_pack_create",
        summary="Ask for a workflow's evidence pack.",
        description=_DESCRIPTION,
        request=None,
        responses={202: _QUEUED},
        tags=TAGS,
    )
    def post(self, request: Request, workflow_id: str) -> Response:
        return _request(request, PackSubject.WORKFLOW, workflow_id)


class SubmissionEvidencePackView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(
        operation_id="submission_evidence_pack_create",
        summary="Ask for a submission's evidence pack.",
        description=_DESCRIPTION,
        request=None,
        responses={202: _QUEUED},
        tags=TAGS,
    )
    def post(self, request: Request, submission_id: str) -> Response:
        return _request(request, PackSubject.SUBMISSION, submission_id)


class EvidencePackListView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(
        operation_id="evidence_packs_list",
        summary="The evidence packs the caller may follow, newest first (beforeId pages on).",
        description="Every workflow's pack of the workspace and those of the submissions the caller may see (a "
        "restricted submission not granted to it is left out). Needs the MEMBER role or higher.",
        parameters=[EvidencePackQuerySerializer],
        responses=EvidencePackPageSerializer,
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        context = workspace_context(request)
        query = parse(EvidencePackQuerySerializer, request.query_params)
        packs = evidence_pack_list(
            context=context,
            state=query.get("state"),
            subject_type=query.get("subjectType"),
            subject_id=query.get("subjectId"),
            before_id=query.get("beforeId"),
        )
        limit = query["limit"]
        page = list(packs[: limit + 1])
        next_before = page[limit - 1].pk if len(page) > limit else None
        return Response(EvidencePackPageSerializer({"packs": page[:limit], "nextBeforeId": next_before}).data)


class EvidencePackDetailView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(
        operation_id="evidence_pack_get",
        summary="Poll an evidence pack's state.",
        responses={200: EvidencePackSerializer},
        tags=TAGS,
    )
    def get(self, request: Request, pack_id: str) -> Response:
        pack = evidence_pack_get(context=workspace_context(request), pack_id=pack_id)
        return Response(EvidencePackSerializer(pack).data)


class EvidencePackLinksView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(
        operation_id="evidence_pack_links",
        summary="Short-lived download links to a READY pack's PDF and JSON (audited).",
        responses={
            200: EvidencePackLinksSerializer,
            409: conflict("The pack is not READY (EVIDENCE_PACK_NOT_READY)."),
            410: OpenApiResponse(ErrorSerializer, description="The files are past expiresAt (EVIDENCE_PACK_EXPIRED)."),
        },
        tags=TAGS,
    )
    def get(self, request: Request, pack_id: str) -> Response:
        links = evidence_pack_links(context=workspace_context(request), pack_id=pack_id)
        return Response(EvidencePackLinksSerializer(links).data)

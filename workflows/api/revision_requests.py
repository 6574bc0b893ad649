"""The reviewers' API of revision requests (MEMBER role or higher, as on the workflow's admin page): ask the client
for new files for some requirements of a workflow, list a workflow's requests, revoke one.

A request rejects the requirements' pending fulfillments with its message and answers with a link of its own
(``/actions/<token>``) that is shown only in the create answer; the client's side is ``workflows.api.revisions``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.parsing import parse
from config.schema import conflict
from workflows.api.public_actions import OneTimeLinkSerializer
from workflows.models import RevisionRequest
from workflows.selectors.requirements import workflow_get
from workflows.selectors.revisions import revision_request_get, workflow_revision_requests
from workflows.services.public_actions import MAX_TTL_DAYS
from workflows.services.revisions import MAX_MESSAGE_LENGTH, revision_request_create, revision_request_revoke
from workspaces.constants import Role
from workspaces.permissions import role_at_least, workspace_context

TAGS = ["Documents and workflow requirements"]


class RevisionRequestCreateSerializer(serializers.Serializer):
    workflow_id = serializers.CharField(max_length=25)
    required_document_ids = serializers.ListField(
        child=serializers.CharField(max_length=25),
        allow_empty=False,
        max_length=50,
        help_text="The requirements (rd_...) of the workflow to ask for again; an accepted one is refused.",
    )
    message = serializers.CharField(
        max_length=MAX_MESSAGE_LENGTH, help_text="What is wrong and what to send instead, as the client reads it."
    )
    expires_in_days = serializers.IntegerField(required=False, min_value=1, max_value=MAX_TTL_DAYS)


class RevisionRequestListRequestSerializer(serializers.Serializer):
    workflow_id = serializers.CharField(max_length=25)


class RevisionRequestRevokeRequestSerializer(serializers.Serializer):
    revision_request_id = serializers.CharField(max_length=25)


class RevisionRequestSerializer(serializers.Serializer):
    revision_request_id = serializers.CharField(source="public_id")
    workflow_id = serializers.CharField(source="workflow.public_id")
    required_document_ids = serializers.SerializerMethodField()
    message = serializers.CharField()
    state = serializers.ChoiceField(
        choices=["Open", "Completed", "Expired", "Revoked"], help_text="What the link does now."
    )
    expires_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_required_document_ids(self, revision: RevisionRequest) -> list[str]:
        return [item.required_document.public_id for item in revision.items.all()]


class RevisionRequestCreatedSerializer(OneTimeLinkSerializer, RevisionRequestSerializer):
    """The create answer: the only time the link (and its token) is shown."""


class RevisionRequestCreateResponseSerializer(serializers.Serializer):
    revision_request = RevisionRequestCreatedSerializer()


class RevisionRequestResponseSerializer(serializers.Serializer):
    revision_request = RevisionRequestSerializer()


class RevisionRequestListResponseSerializer(serializers.Serializer):
    revision_requests = RevisionRequestSerializer(many=True, help_text="Newest first.")


_REVIEW = [role_at_least(Role.MEMBER)]


def _answer(serializer: type[serializers.Serializer], context: dict[str, Any] | None = None, **data: Any) -> Response:
    return Response(serializer(data, context=context or {}).data)


class RevisionRequestCreateView(APIView):
    permission_classes = _REVIEW

    @extend_schema(
        operation_id="workflow_revision_request_create",
        summary="Ask the client for new files for these requirements: their pending files are rejected with the "
        "message, and a new link (shown only here) asks for exactly these documents.",
        request=RevisionRequestCreateSerializer,
        examples=[
            OpenApiExample(
                "Ask for a valid passport",
                request_only=True,
                value={
                    "workflow_id": "w_2mJ8yq1kQ3rT5vW7xZ9aBc",
                    "required_document_ids": ["rd_4nL0aS2dF6gH8jK1lZ3xCv"],
                    "message": "The passport has expired; please send a valid one.",
                    "expires_in_days": 7,
                },
            )
        ],
        responses={
            200: RevisionRequestCreateResponseSerializer,
            409: conflict(
                "The workflow is completed or cancelled (WORKFLOW_CLOSED), or a requirement is already accepted "
                "(PUBLIC_ACTION_STATE)."
            ),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = parse(RevisionRequestCreateSerializer, request.data)
        context = workspace_context(request)
        revision, token = revision_request_create(
            workspace=context.workspace,
            workflow_id=data["workflow_id"],
            required_document_ids=data["required_document_ids"],
            message=data["message"],
            expires_in_days=data.get("expires_in_days"),
            acting_user=context.user,
        )
        return _answer(
            RevisionRequestCreateResponseSerializer, {"request": request, "token": token}, revision_request=revision
        )


class RevisionRequestListView(APIView):
    @extend_schema(
        operation_id="workflow_revision_request_list",
        summary="A workflow's revision requests with their state (never their links).",
        request=RevisionRequestListRequestSerializer,
        responses={200: RevisionRequestListResponseSerializer},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = parse(RevisionRequestListRequestSerializer, request.data)
        workflow = workflow_get(workspace=workspace_context(request).workspace, public_id=data["workflow_id"])
        return _answer(
            RevisionRequestListResponseSerializer, revision_requests=workflow_revision_requests(workflow=workflow)
        )


class RevisionRequestRevokeView(APIView):
    permission_classes = _REVIEW

    @extend_schema(
        operation_id="workflow_revision_request_revoke",
        summary="End a revision request's link now (a completed request stays completed).",
        request=RevisionRequestRevokeRequestSerializer,
        responses={200: RevisionRequestResponseSerializer},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = parse(RevisionRequestRevokeRequestSerializer, request.data)
        context = workspace_context(request)
        revision = revision_request_get(workspace=context.workspace, public_id=data["revision_request_id"])
        revision = revision_request_revoke(revision=revision, acting_user=context.user)
        return _answer(RevisionRequestResponseSerializer, revision_request=revision)

"""The document and workflow-requirement contract: dotted routes, JSON bodies, the workspace API key.

Every answer is ``{"success": true, "data": {...}}`` (the seed's snippets read ``response["data"]["document"]``);
every failure is the standard ``{"success": false, "error", "code", "details"}``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.parsing import parse
from config.schema import STORAGE_UNAVAILABLE_RESPONSE, conflict
from documents import s3
from documents.links import document_download_url
from workflows.constants import (
    FULFILLMENT_BATCH_MAX,
    CustomerType,
    DecisionStatus,
    RequiredDocumentCategory,
    RequiredDocumentStatus,
    WorkflowStatus,
    WorkflowType,
)
from workflows.document_types import DOCUMENT_TYPE_CHOICES
from workflows.models import Fulfillment, SubjectRecordDocument
from workflows.selectors.documents import upload_status
from workflows.selectors.requirements import fulfillment_list, required_document_list, workflow_get
from workflows.services.documents import subject_document_create, subject_document_fetch
from workflows.services.requirements import (
    FulfillmentRequest,
    NewSubjectRecord,
    fulfillment_batch_add,
    fulfillment_decide,
    required_document_add,
    workflow_complete,
    workflow_create,
)
from workspaces.constants import Role
from workspaces.permissions import IsWorkspaceMember, role_at_least, workspace_context

TAGS = ["Documents and workflow requirements"]


def _envelope(name: str, **fields: serializers.Field) -> type[serializers.Serializer]:
    """The serializer of ``{"success": true, "data": {<fields>}}``: schema components ``<name>Response`` and
    ``<name>Data``, and what the view renders its answer with (``_ok``)."""
    data = type(f"{name}Data", (serializers.Serializer,), dict(fields))
    return type(
        f"{name}Response",
        (serializers.Serializer,),
        {"success": serializers.BooleanField(default=True, read_only=True), "data": data()},
    )


def _ok(envelope: type[serializers.Serializer], status: int = 200, **data: Any) -> Response:
    """The answer ``{"success": true, "data": data}``, rendered by ``envelope`` (objects in, contract out)."""
    return Response(envelope({"data": data}).data, status=status)


_CONFLICT = conflict("The workflow or fulfillment is in a state that refuses this (see `code`).")


# --- Serializers ---------------------------------------------------------------------------------

# The presign values exactly as the seed spells and orders them. X-Amz-Security-Token is only there when the
# signing credentials carry a session token.
PRESIGN_VALUE_NAMES = (
    "Content-Type",
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Security-Token",
    "X-Amz-Signature",
    "key",
    "policy",
    "x-amz-meta-document-id",
)

PresignValuesSerializer: type[serializers.Serializer] = type(
    "PresignValuesSerializer",
    (serializers.Serializer,),
    {name: serializers.CharField(required=name != "X-Amz-Security-Token") for name in PRESIGN_VALUE_NAMES},
)


def presign_values(post: s3.PresignedPost) -> dict[str, str]:
    """The upload core's signed fields renamed (``Policy`` -> ``policy``) and ordered as the seed shows them."""
    by_lower = {name.lower(): value for name, value in post.fields.items()}
    return {name: by_lower[name.lower()] for name in PRESIGN_VALUE_NAMES if name.lower() in by_lower}


class DocumentCreateRequestSerializer(serializers.Serializer):
    subject_record_id = serializers.CharField(
        max_length=40, help_text="The subject record the document is about (sr_...)."
    )
    file_name = serializers.CharField(
        max_length=255, help_text="With its extension (.pdf, .jpg, .png, ...); it decides the Content-Type."
    )
    file_size_in_bytes = serializers.IntegerField(
        min_value=1, help_text="The exact size of the file; the upload policy allows exactly this many bytes."
    )


class DocumentUploadSerializer(serializers.Serializer):
    """A new document (``link``) with its presigned POST (``post``)."""

    document_id = serializers.CharField(source="link.public_id")
    upload_url = serializers.CharField(source="post.url", help_text="POST the presign values, then `file` last.")
    presign_values = serializers.SerializerMethodField()

    @extend_schema_field(PresignValuesSerializer)
    def get_presign_values(self, upload: dict[str, Any]) -> dict[str, str]:
        return presign_values(upload["post"])


class DocumentGetRequestSerializer(serializers.Serializer):
    document_id = serializers.CharField(max_length=40)


class DocumentSerializer(serializers.Serializer):
    document_id = serializers.CharField(source="public_id")
    subject_record_id = serializers.CharField(source="subject_record.public_id")
    file_name = serializers.CharField(source="document.original_name")
    file_size_in_bytes = serializers.IntegerField(source="document.max_size", help_text="The declared size.")
    content_type = serializers.CharField(source="document.content_type")
    upload_status = serializers.SerializerMethodField()
    rejection_reason = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField(
        help_text="Why the file is not accepted (not_received, too_large, wrong_size, wrong_type, "
        "content_check_failed), or null; added to the documented shape."
    )
    sha256 = serializers.SerializerMethodField(help_text="SHA-256 (hex) of the accepted file, computed by S3.")
    download_url = serializers.SerializerMethodField(
        help_text="A 15-minute link, once the upload is accepted and its scan passed."
    )
    scan_status = serializers.CharField(
        source="document.scan_status",
        help_text="SCANNING, CLEAN, NOT_SCANNED (no malware scanner configured) or QUARANTINED.",
    )
    scan_reason = serializers.SerializerMethodField()
    upload_expires_at = serializers.DateTimeField(source="document.upload_expires_at")
    uploaded_at = serializers.DateTimeField(source="document.uploaded_at", allow_null=True)
    created_at = serializers.DateTimeField(source="document.created_at")
    updated_at = serializers.DateTimeField(source="document.updated_at")

    def get_upload_status(self, link: SubjectRecordDocument) -> str:
        return str(upload_status(link.document))

    def get_rejection_reason(self, link: SubjectRecordDocument) -> str | None:
        return link.document.rejection_reason or None

    def get_reason(self, link: SubjectRecordDocument) -> str | None:
        return link.document.problem or None

    def get_sha256(self, link: SubjectRecordDocument) -> str | None:
        return link.document.sha256 or None

    def get_scan_reason(self, link: SubjectRecordDocument) -> str | None:
        return link.document.scan_reason or None

    def get_download_url(self, link: SubjectRecordDocument) -> str | None:
        return document_download_url(link.document)


class NewSubjectRecordSerializer(serializers.Serializer):
    customer_type = serializers.ChoiceField(choices=CustomerType.choices)
    reference = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True, help_text="Unique across the workspace."
    )


class WorkflowCreateRequestSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=WorkflowType.choices)
    subject_record_id = serializers.CharField(
        max_length=40, required=False, help_text="An existing subject record (sr_...); or give `subject_record`."
    )
    subject_record = NewSubjectRecordSerializer(
        required=False, help_text="A new subject record to create with the workflow; or give `subject_record_id`."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("subject_record_id" in attrs) == ("subject_record" in attrs):
            raise serializers.ValidationError("Give exactly one of subject_record_id and subject_record.")
        return attrs


class WorkflowRequestSerializer(serializers.Serializer):
    workflow_id = serializers.CharField(max_length=40)


class WorkflowSerializer(serializers.Serializer):
    workflow_id = serializers.CharField(source="public_id")
    subject_record_id = serializers.CharField(source="subject_record.public_id")
    type = serializers.ChoiceField(choices=WorkflowType.choices)
    status = serializers.ChoiceField(choices=WorkflowStatus.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class RequiredDocumentAddRequestSerializer(serializers.Serializer):
    workflow_id = serializers.CharField(max_length=40)
    document_type_code = serializers.ChoiceField(choices=DOCUMENT_TYPE_CHOICES)
    name = serializers.CharField(max_length=200, required=False, default="", help_text="Defaults to the type's name.")
    category = serializers.ChoiceField(
        choices=RequiredDocumentCategory.choices, required=False, default=RequiredDocumentCategory.REQUIREMENT
    )
    requirement_text = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class RequiredDocumentSerializer(serializers.Serializer):
    required_document_id = serializers.CharField(source="public_id")
    document_type_code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.ChoiceField(choices=RequiredDocumentCategory.choices)
    requirement_text = serializers.CharField()
    required_document_status = serializers.ChoiceField(source="status", choices=RequiredDocumentStatus.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class FulfillmentItemSerializer(serializers.Serializer):
    required_document_id = serializers.CharField(max_length=40)
    document_id = serializers.CharField(max_length=40)


class FulfillmentBatchAddRequestSerializer(serializers.Serializer):
    workflow_id = serializers.CharField(max_length=40)
    fulfillments = FulfillmentItemSerializer(many=True, min_length=1, max_length=FULFILLMENT_BATCH_MAX)  # type: ignore[call-arg]


class FulfillmentListRequestSerializer(serializers.Serializer):
    workflow_id = serializers.CharField(max_length=40)
    required_document_id = serializers.CharField(max_length=40, required=False)


class FulfillmentDecideRequestSerializer(serializers.Serializer):
    fulfillment_id = serializers.CharField(max_length=40)
    decision_status = serializers.ChoiceField(choices=[DecisionStatus.ACCEPTED, DecisionStatus.REJECTED])
    reason = serializers.CharField(
        max_length=1000, required=False, default="", allow_blank=True, help_text="Required for a rejection."
    )


class FulfillmentSerializer(serializers.Serializer):
    fulfillment_id = serializers.CharField(source="public_id")
    required_document_id = serializers.CharField(source="required_document.public_id")
    document_id = serializers.CharField(source="subject_document.public_id")
    decision_status = serializers.ChoiceField(choices=DecisionStatus.choices)
    decision_reason = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_decision_reason(self, fulfillment: Fulfillment) -> str | None:
        return fulfillment.decision_reason or None


# The answers, ``{"success": true, "data": {...}}``: the schema documents and the views render these.
DocumentCreateResponse = _envelope("DocumentCreate", document=DocumentUploadSerializer())
DocumentGetResponse = _envelope("DocumentGet", document=DocumentSerializer())
WorkflowCreateResponse = _envelope("WorkflowCreate", workflow=WorkflowSerializer())
WorkflowGetResponse = _envelope("WorkflowGet", workflow=WorkflowSerializer())
WorkflowCompleteResponse = _envelope("WorkflowComplete", workflow=WorkflowSerializer())
RequiredDocumentAddResponse = _envelope("RequiredDocumentAdd", required_document=RequiredDocumentSerializer())
RequiredDocumentListResponse = _envelope(
    "RequiredDocumentList", required_documents=RequiredDocumentSerializer(many=True)
)
FulfillmentBatchAddResponse = _envelope("FulfillmentBatchAdd", fulfillments=FulfillmentSerializer(many=True))
FulfillmentListResponse = _envelope("FulfillmentList", fulfillments=FulfillmentSerializer(many=True))
FulfillmentDecideResponse = _envelope(
    "FulfillmentDecide", fulfillment=FulfillmentSerializer(), required_document=RequiredDocumentSerializer()
)


# --- Views ---------------------------------------------------------------------------------------

_WRITE = [role_at_least(Role.MEMBER)]
_READ = [IsWorkspaceMember]


class DocumentCreateView(APIView):
    permission_classes = _WRITE

    @extend_schema(
        operation_id="document_create",
        summary="Create a document record and its 5-minute presigned POST (exact size, type from the extension).",
        request=DocumentCreateRequestSerializer,
        responses={200: DocumentCreateResponse},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = parse(DocumentCreateRequestSerializer, request.data)
        context = workspace_context(request)
        link, post = subject_document_create(workspace=context.workspace, acting_user=context.user, **data)
        return _ok(DocumentCreateResponse, document={"link": link, "post": post})


class DocumentGetView(APIView):
    permission_classes = _READ

    @extend_schema(
        operation_id="document_get",
        summary="A document with its upload_status (PENDING, UPLOADED, REJECTED, EXPIRED), checked against S3.",
        request=DocumentGetRequestSerializer,
        responses={200: DocumentGetResponse, 503: STORAGE_UNAVAILABLE_RESPONSE},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = parse(DocumentGetRequestSerializer, request.data)
        link = subject_document_fetch(workspace=workspace_context(request).workspace, document_id=data["document_id"])
        return _ok(DocumentGetResponse, document=link)


class WorkflowCreateView(APIView):
    permission_classes = _WRITE

    @extend_schema(
        operation_id="workflow_create",
        summary="Create a workflow of a type for an existing subject record, or for a new one created with it.",
        request=WorkflowCreateRequestSerializer,
        responses={201: WorkflowCreateResponse},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = parse(WorkflowCreateRequestSerializer, request.data)
        context = workspace_context(request)
        new_record = data.get("subject_record")
        workflow = workflow_create(
            workspace=context.workspace,
            type=data["type"],
            subject_record_id=data.get("subject_record_id"),
            subject_record=NewSubjectRecord(**new_record) if new_record is not None else None,
            acting_user=context.user,
        )
        return _ok(WorkflowCreateResponse, status=201, workflow=workflow)


class WorkflowGetView(APIView):
    permission_classes = _READ

    @extend_schema(
        operation_id="workflow_get",
        summary="A workflow with its status.",
        request=WorkflowRequestSerializer,
        responses={200: WorkflowGetResponse},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = parse(WorkflowRequestSerializer, request.data)
        workflow = workflow_get(workspace=workspace_context(request).workspace, public_id=data["workflow_id"])
        return _ok(WorkflowGetResponse, workflow=workflow)


class WorkflowCompleteView(APIView):
    permission_classes = _WRITE

    @extend_schema(
        operation_id="workflow_complete",
        summary="Complete a workflow; refused (409) while a REQUIREMENT or STIPULATION is not ACCEPTED.",
        request=WorkflowRequestSerializer,
        responses={
            200: WorkflowCompleteResponse,
            409: _CONFLICT,
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = parse(WorkflowRequestSerializer, request.data)
        context = workspace_context(request)
        workflow = workflow_complete(
            workspace=context.workspace, workflow_id=data["workflow_id"], acting_user=context.user
        )
        return _ok(WorkflowCompleteResponse, workflow=workflow)


class RequiredDocumentAddView(APIView):
    permission_classes = _WRITE

    @extend_schema(
        operation_id="workflow_required_document_add",
        summary="Add a required document (a type of the document-type registry) to an open workflow.",
        request=RequiredDocumentAddRequestSerializer,
        responses={
            201: RequiredDocumentAddResponse,
            409: _CONFLICT,
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = parse(RequiredDocumentAddRequestSerializer, request.data)
        context = workspace_context(request)
        required_document = required_document_add(workspace=context.workspace, acting_user=context.user, **data)
        return _ok(RequiredDocumentAddResponse, status=201, required_document=required_document)


class RequiredDocumentListView(APIView):
    permission_classes = _READ

    @extend_schema(
        operation_id="workflow_required_document_list",
        summary="The required documents of a workflow.",
        request=WorkflowRequestSerializer,
        responses={200: RequiredDocumentListResponse},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = parse(WorkflowRequestSerializer, request.data)
        workflow = workflow_get(workspace=workspace_context(request).workspace, public_id=data["workflow_id"])
        required_documents = required_document_list(workflow=workflow)
        return _ok(RequiredDocumentListResponse, required_documents=required_documents)


class FulfillmentBatchAddView(APIView):
    permission_classes = _WRITE

    @extend_schema(
        operation_id="workflow_required_document_fulfillment_batch_add",
        summary="Link uploaded documents to required documents, all or nothing.",
        request=FulfillmentBatchAddRequestSerializer,
        responses={
            201: FulfillmentBatchAddResponse,
            409: _CONFLICT,
            503: STORAGE_UNAVAILABLE_RESPONSE,
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = parse(FulfillmentBatchAddRequestSerializer, request.data)
        context = workspace_context(request)
        created = fulfillment_batch_add(
            workspace=context.workspace,
            workflow_id=data["workflow_id"],
            fulfillments=[FulfillmentRequest(**item) for item in data["fulfillments"]],
            acting_user=context.user,
        )
        return _ok(FulfillmentBatchAddResponse, status=201, fulfillments=created)


class FulfillmentListView(APIView):
    permission_classes = _READ

    @extend_schema(
        operation_id="workflow_required_document_fulfillment_list",
        summary="The fulfillments of a workflow, optionally of one required document.",
        request=FulfillmentListRequestSerializer,
        responses={200: FulfillmentListResponse},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = parse(FulfillmentListRequestSerializer, request.data)
        workflow = workflow_get(workspace=workspace_context(request).workspace, public_id=data["workflow_id"])
        fulfillments = fulfillment_list(workflow=workflow, required_document_id=data.get("required_document_id"))
        return _ok(FulfillmentListResponse, fulfillments=fulfillments)


class FulfillmentDecideView(APIView):
    permission_classes = _WRITE

    @extend_schema(
        operation_id="workflow_required_document_fulfillment_decide",
        summary="Accept or reject a fulfillment (a rejection needs a reason); the requirement's status follows.",
        request=FulfillmentDecideRequestSerializer,
        responses={
            200: FulfillmentDecideResponse,
            409: _CONFLICT,
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = parse(FulfillmentDecideRequestSerializer, request.data)
        context = workspace_context(request)
        fulfillment = fulfillment_decide(
            workspace=context.workspace,
            fulfillment_id=data["fulfillment_id"],
            decision=DecisionStatus(data["decision_status"]),
            reason=data["reason"],
            acting_user=context.user,
            api_key=context.api_key,
        )
        return _ok(FulfillmentDecideResponse, fulfillment=fulfillment, required_document=fulfillment.required_document)

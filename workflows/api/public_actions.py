"""The public action contract (/v3/public/actions/{token}, /confirm) and the members' API that creates links."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.parsing import parse
from config.schema import ErrorSerializer, conflict
from documents.constants import UploadProblem
from workflows.constants import PublicActionStatus
from workflows.inputs import public_action_body_parse
from workflows.models import PublicAction
from workflows.selectors.public_actions import (
    form_version_get_for_workspace,
    public_action_list,
)
from workflows.selectors.requirements import workflow_get
from workflows.services.public_actions import (
    FileUpload,
    PublicActionResult,
    public_action_confirm,
    public_action_create,
    public_action_submit,
)
from workspaces.constants import Role
from workspaces.permissions import role_at_least, workspace_context

# --- Serializers ---------------------------------------------------------------------------------


class PublicActionFileUploadSerializer(serializers.Serializer):
    """One file to upload; ``entityReference`` only for role-entity files, absent for root-level ones."""

    entityReference = serializers.CharField(source="entity_reference", required=False)
    fileName = serializers.CharField(source="file_name")
    spektrDataField = serializers.CharField(source="field_name")
    url = serializers.CharField()
    reason = serializers.ChoiceField(
        choices=UploadProblem.choices,
        required=False,
        help_text="On the 409 of /confirm: why the file is not accepted yet (added to the documented shape).",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # `fields` cannot be a declared attribute (it is the serializer's own field mapping).
        fields["fields"] = serializers.DictField(child=serializers.CharField())
        return fields

    def to_representation(self, instance: FileUpload) -> dict[str, Any]:
        data = {
            "fileName": instance.file_name,
            "spektrDataField": instance.field_name,
            "url": instance.url,
            "fields": dict(instance.fields),
        }
        if instance.reason is not None:
            data["reason"] = instance.reason
        if instance.entity_reference is not None:
            return {"entityReference": instance.entity_reference, **data}
        return data


class PublicActionResultSerializer(serializers.Serializer):
    """``{"status": "completed"}``, or ``accepted`` (after submit) / ``pending`` (confirm) with the files still to
    upload."""

    status = serializers.SerializerMethodField(
        help_text="completed, accepted (after submit) or pending (409 on confirm)"
    )
    fileUploads = PublicActionFileUploadSerializer(source="file_uploads", many=True, required=False)

    def get_status(self, result: PublicActionResult) -> str:
        return "completed" if result.completed else str(self.context["open_status"])

    def to_representation(self, instance: PublicActionResult) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.completed:
            del data["fileUploads"]
        return data


class PublicActionCreateSerializer(serializers.Serializer):
    workflow_id = serializers.CharField(max_length=25)
    form_version_id = serializers.CharField(max_length=64)
    individual_form_version_id = serializers.CharField(max_length=64, required=False, allow_null=True)
    company_form_version_id = serializers.CharField(max_length=64, required=False, allow_null=True)
    expires_in_days = serializers.IntegerField(required=False, min_value=1, max_value=90)


class PublicActionListRequestSerializer(serializers.Serializer):
    workflow_id = serializers.CharField(max_length=25, required=False)
    status = serializers.ChoiceField(choices=PublicActionStatus.choices, required=False)


class PublicActionSerializer(serializers.ModelSerializer):
    public_action_id = serializers.CharField(source="public_id")
    workflow_id = serializers.CharField(source="workflow.public_id")
    form_version_id = serializers.CharField(source="form_version.public_id")

    class Meta:
        model = PublicAction
        fields = [
            "public_action_id",
            "workflow_id",
            "form_version_id",
            "status",
            "expires_at",
            "submitted_at",
            "completed_at",
            "created_at",
        ]


class OneTimeLinkSerializer(serializers.Serializer):
    """A create answer's link to the client's page and its raw token (context ``token``, ``request``): shown only
    then, since only a hash is stored."""

    token = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The client's page: send it to the client.")

    def get_token(self, obj: Any) -> str:
        return str(self.context["token"])

    def get_url(self, obj: Any) -> str:
        request: Request = self.context["request"]
        return request.build_absolute_uri(reverse("public-action-page", args=[self.context["token"]]))


class PublicActionCreatedSerializer(OneTimeLinkSerializer, PublicActionSerializer):
    """The create answer: the only time the raw token and the link are shown."""

    class Meta(PublicActionSerializer.Meta):
        fields = [*PublicActionSerializer.Meta.fields, "token", "url"]


class PublicActionCreateResponseSerializer(serializers.Serializer):
    public_action = PublicActionCreatedSerializer()


class PublicActionListResponseSerializer(serializers.Serializer):
    public_actions = PublicActionSerializer(many=True, help_text="Newest first, at most 200.")


# --- Views ---------------------------------------------------------------------------------------

_TOKEN_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Validation error (code VALIDATION_ERROR, DUPLICATE_REFERENCE)"),
    401: OpenApiResponse(ErrorSerializer, description="Token invalid, expired or used up (code INVALID_TOKEN)"),
}


class PublicActionSubmitView(APIView):
    """The end client's submission; authenticated by the link token only."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="public_action_submit",
        description=(
            "Root-level fields of the action's form, plus optional `role-entity` (entities with `reference`, "
            "`customer_type` and the fields of that type's form) and `role-entity_relations` (`from`, `to`: a "
            "reference of this request or `root`; `role`; optional `ownership_percentage`). File fields carry file "
            "names; the answer lists a presigned POST per file (15 MB, 1 hour)."
        ),
        request={"application/json": {"type": "object", "additionalProperties": True}},
        examples=[
            OpenApiExample(
                "Root-level submission with files",
                request_only=True,
                value={
                    "first_name": "John",
                    "last_name": "Smith",
                    "date_of_birth": "1985-03-15",
                    "id_document": "passport_scan.pdf",
                    "proof_of_address": "utility_bill.pdf",
                },
            ),
            OpenApiExample(
                "Combined root-level and role-entity files",
                request_only=True,
                value={
                    "company_document": "main_registration.pdf",
                    "role-entity": [
                        {
                            "reference": "director_ref_1",
                            "customer_type": "individual",
                            "first_name": "Jane",
                            "last_name": "Doe",
                            "id_document": "director_passport.pdf",
                        }
                    ],
                    "role-entity_relations": [{"from": "director_ref_1", "to": "root", "role": "director"}],
                },
            ),
        ],
        responses={
            200: PublicActionResultSerializer,
            409: conflict("Already submitted: upload the files and call /confirm (PUBLIC_ACTION_STATE)."),
            **_TOKEN_RESPONSES,
        },
    )
    def post(self, request: Request, token: str) -> Response:
        submission = public_action_body_parse(request.data)
        result = public_action_submit(token=token, submission=submission)
        return Response(PublicActionResultSerializer(result, context={"open_status": "accepted"}).data)


class PublicActionConfirmView(APIView):
    """Verify the uploads; 409 with fresh presigned POSTs for the files still missing or rejected."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="public_action_confirm",
        request=None,
        responses={
            200: PublicActionResultSerializer,
            409: OpenApiResponse(PublicActionResultSerializer, description="status pending: upload these files"),
            503: OpenApiResponse(
                ErrorSerializer,
                description="S3 unreachable or hung (STORAGE_UNAVAILABLE): nothing changed; retry after Retry-After",
            ),
            **_TOKEN_RESPONSES,
        },
    )
    def post(self, request: Request, token: str) -> Response:
        result = public_action_confirm(token=token)
        code = status.HTTP_200_OK if result.completed else status.HTTP_409_CONFLICT
        return Response(PublicActionResultSerializer(result, context={"open_status": "pending"}).data, status=code)


class PublicActionCreateView(APIView):
    """POST /workflow.publicAction.create: a link for the workflow's client (MEMBER role or higher)."""

    permission_classes = [role_at_least(Role.MEMBER)]

    @extend_schema(
        operation_id="workflow_public_action_create",
        request=PublicActionCreateSerializer,
        responses={
            200: PublicActionCreateResponseSerializer,
            409: conflict("The workflow is closed and takes no more client input (PUBLIC_ACTION_STATE)."),
        },
    )
    def post(self, request: Request) -> Response:
        context = workspace_context(request)
        data = parse(PublicActionCreateSerializer, request.data)
        workflow = workflow_get(workspace=context.workspace, public_id=data["workflow_id"])
        versions = {
            name: form_version_get_for_workspace(workspace=context.workspace, form_version_id=data[name])
            if data.get(name)
            else None
            for name in ("form_version_id", "individual_form_version_id", "company_form_version_id")
        }
        action, token = public_action_create(
            workflow=workflow,
            form_version=versions["form_version_id"],
            individual_form_version=versions["individual_form_version_id"],
            company_form_version=versions["company_form_version_id"],
            expires_in_days=data.get("expires_in_days"),
            acting_user=context.user,
        )
        response = PublicActionCreateResponseSerializer(
            {"public_action": action}, context={"request": request, "token": token}
        )
        return Response(response.data)


class PublicActionListView(APIView):
    """POST /workflow.publicAction.list: the workspace's links (never their tokens), optionally per workflow."""

    @extend_schema(
        operation_id="workflow_public_action_list",
        request=PublicActionListRequestSerializer,
        responses={200: PublicActionListResponseSerializer},
    )
    def post(self, request: Request) -> Response:
        context = workspace_context(request)
        data = parse(PublicActionListRequestSerializer, request.data)
        actions = public_action_list(
            workspace=context.workspace, workflow_public_id=data.get("workflow_id"), status=data.get("status")
        )
        return Response(PublicActionListResponseSerializer({"public_actions": actions[:200]}).data)

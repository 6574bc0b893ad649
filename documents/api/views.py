from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.parsing import parse
from config.schema import STORAGE_UNAVAILABLE_RESPONSE
from documents.api.serializers import (
    PresignedPostQuerySerializer,
    PresignedPostResponseSerializer,
    StoredFileSerializer,
    UploadSuccessQuerySerializer,
    UploadSuccessSerializer,
)
from documents.services import s3_upload_complete, s3_upload_issue
from workspaces.constants import Role
from workspaces.permissions import role_at_least, workspace_context


class PresignedPostView(APIView):
    permission_classes = [role_at_least(Role.MEMBER)]  # a viewer reads; an upload is a write

    @extend_schema(
        operation_id="s3_presigned_post",
        summary="Generate a presigned POST for uploading one file directly to S3 (expires in 5 minutes).",
        parameters=[PresignedPostQuerySerializer],
        responses=PresignedPostResponseSerializer,
        tags=["S3"],
    )
    def get(self, request: Request) -> Response:
        query = parse(PresignedPostQuerySerializer, request.query_params)
        context = workspace_context(request)
        document, post = s3_upload_issue(
            workspace=context.workspace,
            file_name=query["filename"],
            content_type=query["contenttype"],
            source=query["source"],
            acting_user=context.user,
        )
        body = {
            "url": post.url,
            "fields": post.fields,
            "s3object_id": document.uuid,
            "max_file_size": document.max_size,
            "expires_at": document.upload_expires_at,
        }
        return Response(PresignedPostResponseSerializer(body).data)


class UploadSuccessView(APIView):
    permission_classes = [role_at_least(Role.MEMBER)]

    @extend_schema(
        operation_id="s3_upload_success",
        summary="Confirm an upload: the object is verified (size, type, magic bytes, ETag) and its record returned.",
        parameters=[
            OpenApiParameter("source", str, OpenApiParameter.QUERY, required=False, description="Kind of the file.")
        ],
        request=UploadSuccessSerializer,
        responses={200: StoredFileSerializer, 503: STORAGE_UNAVAILABLE_RESPONSE},
        tags=["S3"],
    )
    def post(self, request: Request) -> Response:
        query = parse(UploadSuccessQuerySerializer, request.query_params)
        data = parse(UploadSuccessSerializer, request.data)
        document = s3_upload_complete(
            workspace=workspace_context(request).workspace,
            document_uuid=data["uuid"],
            key=data.get("key"),
            etag=data.get("etag"),
            name=data.get("name"),
            is_public=data.get("is_public"),
            business_id=data.get("business_id"),
            source=query.get("source"),
        )
        return Response(StoredFileSerializer(document, context={"request": request}).data)

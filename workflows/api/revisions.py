"""The client's side of a revision request: sign the new files' uploads, then confirm them (token only).

Served under the page's own path (``/actions/<token>/revision/...``) for its script; not part of the public action
contract, so not in the OpenAPI document.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.parsing import parse
from workflows.selectors.revisions import revision_page
from workflows.services.revisions import RevisionFile, revision_confirm, revision_uploads_issue


class RevisionFileSerializer(serializers.Serializer):
    required_document_id = serializers.CharField(max_length=64)
    file_name = serializers.CharField(max_length=255)


class RevisionUploadsRequestSerializer(serializers.Serializer):
    files = serializers.ListField(child=RevisionFileSerializer(), allow_empty=False, max_length=50)


@extend_schema(exclude=True)
class RevisionUploadsView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request: Request, token: str) -> Response:
        data = parse(RevisionUploadsRequestSerializer, request.data)
        uploads = revision_uploads_issue(token=token, files=[RevisionFile(**file) for file in data["files"]])
        return Response(
            {
                "uploads": [
                    {
                        "required_document_id": upload.item.required_document.public_id,
                        "file_name": upload.file_name,
                        "url": upload.post.url,
                        "fields": upload.post.fields,
                    }
                    for upload in uploads
                ]
            }
        )


@extend_schema(exclude=True)
class RevisionConfirmView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request: Request, token: str) -> Response:
        revision, missing = revision_confirm(token=token)
        if not missing:
            return Response({"status": "completed"})
        asked = {document.required_document_id: document for document in revision_page(revision=revision)}
        return Response(
            {
                "status": "pending",
                "missing": [
                    {
                        "required_document_id": item.required_document.public_id,
                        "name": item.required_document.name,
                        "problem": asked[item.required_document.public_id].problem,
                    }
                    for item in missing
                ],
            },
            status=status.HTTP_409_CONFLICT,
        )

from rest_framework import serializers

from config.query import QuerySerializer
from documents.constants import MAX_FILE_NAME_CHARS, S3_API_SOURCES
from documents.links import document_download_url, document_thumbnail_url, size_formatted
from documents.models import Document


class PresignedPostQuerySerializer(QuerySerializer):
    contenttype = serializers.CharField(max_length=120, help_text="MIME type of the file, e.g. application/pdf.")
    filename = serializers.CharField(
        max_length=MAX_FILE_NAME_CHARS, help_text="Name of the file, e.g. resume.pdf (255 characters at most)."
    )
    source = serializers.ChoiceField(choices=[source.value for source in S3_API_SOURCES])  # type: ignore[assignment]


class PresignedPostResponseSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="POST destination URL for the upload.")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.CharField(), help_text="Signed form fields, in order; send `file` after them, last."
    )
    s3object_id = serializers.UUIDField(help_text="UUID to use when calling /api/s3/success.")
    max_file_size = serializers.IntegerField(help_text="Maximum allowed file size in bytes.")
    expires_at = serializers.DateTimeField(help_text="When the presigned POST expires.")


class UploadSuccessQuerySerializer(QuerySerializer):
    source = serializers.CharField(  # type: ignore[assignment]
        required=False, max_length=40, help_text="Kind of the file, e.g. FIELD_VALUE."
    )


class UploadSuccessSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(help_text="The s3object_id of the presigned POST.")
    key = serializers.CharField(required=False, max_length=512)
    name = serializers.CharField(required=False, max_length=255)
    is_public = serializers.BooleanField(required=False, default=False)
    etag = serializers.CharField(required=False, max_length=100)
    business_id = serializers.UUIDField(required=False)


class StoredFileSerializer(serializers.ModelSerializer):
    """The stored file record of the /api/s3 contract."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    created = serializers.DateTimeField(source="created_at", read_only=True)
    name = serializers.CharField(source="original_name", allow_null=True)
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    size_bytes = serializers.IntegerField(source="size", allow_null=True)
    size_formatted = serializers.SerializerMethodField()
    common_key = serializers.SerializerMethodField()
    is_common = serializers.SerializerMethodField()
    sha256 = serializers.CharField(
        read_only=True, help_text="SHA-256 (hex) of the accepted file, computed by S3; added to the documented shape."
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "created",
            "key",
            "name",
            "url",
            "thumbnail_url",
            "size_bytes",
            "size_formatted",
            "content_type",
            "is_public",
            "common_key",
            "is_common",
            "sha256",
            "scan_status",
            "scan_reason",
        ]
        extra_kwargs = {
            "scan_status": {
                "help_text": "SCANNING until the file is checked; `url` is null unless CLEAN or NOT_SCANNED."
            }
        }

    def get_url(self, document: Document) -> str | None:
        return document_download_url(document)

    def get_thumbnail_url(self, document: Document) -> str:
        return document_thumbnail_url(document, self.context.get("request"))

    def get_size_formatted(self, document: Document) -> str:
        return size_formatted(document.size)

    def get_common_key(self, document: Document) -> str | None:
        # Files are never shared between workspaces, so no file has a common (cross-workspace) key.
        return None

    def get_is_common(self, document: Document) -> bool:
        return False

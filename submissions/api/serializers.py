"""One serializer per contract shape; field names as the specification spells them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import serializers

from config.actors import actor_label, written_by
from config.inputs import MAX_BIGINT, json_problem
from config.query import QuerySerializer, in_query_range
from documents.links import document_download_url, document_thumbnail_url
from submissions.constants import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    METADATA_MAX_BYTES,
    METADATA_MAX_DEPTH,
    SORT_FIELDS,
    STATS_MAX_DAYS,
    FormStatus,
    GrantTargetType,
    SubmissionStatus,
    VisibilityMode,
)
from submissions.models import Form, FormVersion, Submission, SubmissionAttachment, SubmissionNote
from submissions.selectors import ListedSubmission


def iso(value: datetime | None) -> str | None:
    """``2026-02-12T09:15:00.000Z``: UTC, milliseconds, as the specification writes dates."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class IsoDateTimeField(serializers.DateTimeField):
    def to_representation(self, value: datetime) -> str | None:  # type: ignore[override]
        return iso(value)


def actor(user: User | None, api_key_name: str = "") -> dict[str, str]:
    """``{"name", "email"}`` of whoever acted, and ``apiKey``, the key's name, when the change came through one.

    An API key acting on its own has no user: its name is ``API key <name>``; with neither, "System"
    (``config.actors.written_by``, as the case page and the evidence pack say it).
    """
    if user is None:
        person = {"name": written_by(None, api_key_name)}
    else:
        person = {"name": actor_label(user, "")}
        if user.email:
            person["email"] = user.email
    if api_key_name:
        person["apiKey"] = api_key_name
    return person


# --- Forms ---------------------------------------------------------------------------------------


class FormVersionSummarySerializer(serializers.ModelSerializer[FormVersion]):
    id = serializers.CharField(source="public_id")
    publishedAt = IsoDateTimeField(source="published_at")

    class Meta:
        model = FormVersion
        fields = ["id", "version", "publishedAt"]


class FormVersionSerializer(FormVersionSummarySerializer):
    formId = serializers.CharField(source="form.public_id")

    class Meta:
        model = FormVersion
        fields = ["id", "formId", "version", "schema", "publishedAt"]


class FormSerializer(serializers.ModelSerializer[Form]):
    id = serializers.CharField(source="public_id")
    versions = serializers.SerializerMethodField()
    currentVersion = serializers.SerializerMethodField()
    isPublic = serializers.BooleanField(
        source="is_public", help_text="Open to the public: anyone may fill in its page /f/<workspace>/<form>/."
    )
    createdAt = IsoDateTimeField(source="created_at")
    updatedAt = IsoDateTimeField(source="updated_at")

    class Meta:
        model = Form
        fields = [
            "id",
            "title",
            "slug",
            "description",
            "status",
            "schema",
            "isPublic",
            "currentVersion",
            "versions",
            "createdAt",
            "updatedAt",
        ]

    def _versions(self, form: Form) -> list[FormVersion]:
        return sorted(form.versions.all(), key=lambda version: -version.version)

    def get_versions(self, form: Form) -> list[dict[str, Any]]:
        return FormVersionSummarySerializer(self._versions(form), many=True).data  # type: ignore[return-value]

    def get_currentVersion(self, form: Form) -> dict[str, Any] | None:
        versions = self._versions(form)
        return FormVersionSummarySerializer(versions[0]).data if versions else None


class FormCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=70, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    schema = serializers.JSONField(required=False)
    isPublic = serializers.BooleanField(source="is_public", required=False, help_text="Default false.")


class FormUpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    schema = serializers.JSONField(required=False)
    isPublic = serializers.BooleanField(source="is_public", required=False)


class FormListQuerySerializer(QuerySerializer):
    status = serializers.ChoiceField(choices=FormStatus.choices, required=False)
    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)
    limit = serializers.IntegerField(min_value=1, default=DEFAULT_PAGE_SIZE)

    def validate_limit(self, value: int) -> int:
        return min(value, MAX_PAGE_SIZE)


# --- Submissions ---------------------------------------------------------------------------------


def matters_of(submission: Submission) -> list[dict[str, Any]]:
    """The first linked matter, or an empty list (a list row brings its own: ``listed_representation``)."""
    link = submission.matter_links.select_related("matter").order_by("created_at", "id").first()
    if link is None:
        return []
    matter = link.matter
    return [
        {"id": matter.public_id, "number": matter.number, "numberPrefix": matter.number_prefix, "title": matter.title}
    ]


class SubmissionSerializer(serializers.ModelSerializer[Submission]):
    """The submission object of the specification (list items and single submissions alike)."""

    id = serializers.CharField(source="public_id")
    formId = serializers.CharField(source="form.public_id")
    formVersionId = serializers.CharField(source="form_version.public_id")
    formVersion = serializers.SerializerMethodField()
    userId = serializers.SerializerMethodField()
    visibility = serializers.CharField(source="visibility_mode")
    matters = serializers.SerializerMethodField()
    createdAt = IsoDateTimeField(source="created_at")
    updatedAt = IsoDateTimeField(source="updated_at")

    class Meta:
        model = Submission
        fields = [
            "id",
            "formId",
            "formVersionId",
            "formVersion",
            "status",
            "data",
            "metadata",
            "userId",
            "visibility",
            "matters",
            "createdAt",
            "updatedAt",
        ]

    def get_formVersion(self, submission: Submission) -> dict[str, Any]:
        return {"id": submission.form_version.public_id, "version": submission.form_version.version}

    def get_userId(self, submission: Submission) -> str | None:
        return str(submission.user_id) if submission.user_id else None

    def get_matters(self, submission: Submission) -> list[dict[str, Any]]:
        return matters_of(submission)

    def to_representation(self, instance: Submission) -> dict[str, Any]:
        return submission_representation(instance)


def submission_representation(submission: Submission) -> dict[str, Any]:
    """A submission as ``SubmissionSerializer`` declares it (which renders through this): the fields written out
    once, without a field object per value."""
    version = submission.form_version
    return {
        "id": str(submission.public_id),
        "formId": str(submission.form.public_id),
        "formVersionId": str(version.public_id),
        "formVersion": {"id": version.public_id, "version": version.version},
        "status": str(submission.status),
        "data": submission.data,
        "metadata": submission.metadata,
        "userId": str(submission.user_id) if submission.user_id else None,
        "visibility": str(submission.visibility_mode),
        "matters": matters_of(submission),
        "createdAt": iso(submission.created_at),
        "updatedAt": iso(submission.updated_at),
    }


def listed_representation(row: ListedSubmission) -> dict[str, Any]:
    """A row of the list (``selectors.ListedSubmission``) as ``submission_representation`` renders the same
    submission, built from the row's plain values."""
    matters = []
    if row.matter_public_id is not None:
        matters.append(
            {
                "id": row.matter_public_id,
                "number": row.matter_number,
                "numberPrefix": row.matter_number_prefix,
                "title": row.matter_title,
            }
        )
    return {
        "id": row.public_id,
        "formId": row.form_public_id,
        "formVersionId": row.version_public_id,
        "formVersion": {"id": row.version_public_id, "version": row.version_number},
        "status": row.status,
        "data": row.data,
        "metadata": row.metadata,
        "userId": str(row.user_id) if row.user_id else None,
        "visibility": row.visibility_mode,
        "matters": matters,
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }


class MetadataField(serializers.DictField):
    """A submission's free-form ``metadata`` object, bounded in size and depth."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        problem = json_problem(value, max_depth=METADATA_MAX_DEPTH)
        if problem:
            raise serializers.ValidationError(problem)
        if len(json.dumps(value, ensure_ascii=False).encode()) > METADATA_MAX_BYTES:
            raise serializers.ValidationError(f"At most {METADATA_MAX_BYTES} bytes of JSON.")
        return value


class SubmissionCreateSerializer(serializers.Serializer[Any]):
    formId = serializers.CharField(max_length=40)
    data = serializers.DictField()  # type: ignore[assignment]
    metadata = MetadataField(required=False)
    # Not in the specification's table: a client may save a new submission as a DRAFT.
    status = serializers.ChoiceField(
        choices=[SubmissionStatus.COMPLETED, SubmissionStatus.DRAFT], default=SubmissionStatus.COMPLETED
    )


class SubmissionUpdateSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=SubmissionStatus.choices, required=False)
    data = serializers.DictField(required=False)  # type: ignore[assignment]
    metadata = MetadataField(required=False)
    userId = serializers.CharField(required=False, allow_null=True)


class DraftUpdateSerializer(serializers.Serializer[Any]):
    data = serializers.DictField(required=False)  # type: ignore[assignment]
    metadata = MetadataField(required=False)


def _date_or_datetime(value: str, name: str) -> date | datetime:
    parsed = parse_date(value) if len(value) == 10 else None
    if parsed is None:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise serializers.ValidationError(f"{name} must be an ISO date (YYYY-MM-DD) or date-time.")
    in_query_range(parsed)
    return parsed


class SubmissionListQuerySerializer(QuerySerializer):
    formId = serializers.CharField(required=False, max_length=40)
    status = serializers.ChoiceField(choices=SubmissionStatus.choices, required=False)
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=(
            "Words that must all match the id, form title, user name or email. "
            "A whole submission id (SUB- and 12 characters, any case) finds that submission by id."
        ),
    )
    dateFrom = serializers.CharField(required=False)
    dateTo = serializers.CharField(required=False)
    submittedBy = serializers.IntegerField(required=False, min_value=1, max_value=MAX_BIGINT)
    includeDrafts = serializers.BooleanField(required=False, default=False)
    sortBy = serializers.ChoiceField(choices=list(SORT_FIELDS), default="createdAt")
    sortOrder = serializers.ChoiceField(choices=["asc", "desc"], default="desc")
    page = serializers.IntegerField(
        min_value=1, max_value=MAX_PAGE, default=1, help_text="Page number (default 1). Not with `cursor`."
    )
    limit = serializers.IntegerField(min_value=1, default=DEFAULT_PAGE_SIZE)
    cursor = serializers.CharField(
        required=False,
        max_length=500,
        help_text=(
            "`pagination.nextCursor` of the previous page: the page after it (keyset paging, fast at any depth). "
            "Send the same filters, `sortBy` and `sortOrder` as that page (another sort is a 400 "
            "`INVALID_CURSOR`); `limit` may change. Not with `page`."
        ),
    )

    def validate_limit(self, value: int) -> int:
        return min(value, MAX_PAGE_SIZE)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "cursor" in attrs and "page" in self.initial_data:
            raise serializers.ValidationError({"cursor": ["Send either page or cursor, not both."]})
        return attrs

    def validate_dateFrom(self, value: str) -> date | datetime:
        return _date_or_datetime(value, "dateFrom")

    def validate_dateTo(self, value: str) -> date | datetime:
        return _date_or_datetime(value, "dateTo")


class StatsQuerySerializer(QuerySerializer):
    dateFrom = serializers.DateField(required=False, validators=[in_query_range])
    dateTo = serializers.DateField(required=False, validators=[in_query_range])

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("dateFrom"), attrs.get("dateTo")
        if start and end and (end < start or (end - start).days >= STATS_MAX_DAYS):
            raise serializers.ValidationError(
                f"dateFrom..dateTo must be an ordered range of at most {STATS_MAX_DAYS} days."
            )
        return attrs


# --- Notes, documents, sharing, visibility --------------------------------------------------------


class NoteSerializer(serializers.ModelSerializer[SubmissionNote]):
    id = serializers.CharField(source="public_id")
    author = serializers.SerializerMethodField()
    createdAt = IsoDateTimeField(source="created_at")

    class Meta:
        model = SubmissionNote
        fields = ["id", "content", "author", "createdAt"]

    def get_author(self, note: SubmissionNote) -> dict[str, str]:
        return actor(note.author)


class NoteCreateSerializer(serializers.Serializer[Any]):
    content = serializers.CharField(max_length=10_000)


class AttachmentSerializer(serializers.ModelSerializer[SubmissionAttachment]):
    id = serializers.CharField(source="public_id")
    attachmentId = serializers.CharField(source="public_id")
    fileId = serializers.CharField(source="document.uuid")
    name = serializers.CharField(source="document.original_name")
    contentType = serializers.CharField(source="document.content_type")
    size = serializers.IntegerField(source="document.size")
    sha256 = serializers.CharField(source="document.sha256", help_text="SHA-256 (hex) of the file, computed by S3.")
    url = serializers.SerializerMethodField(help_text="Null until the file's scan passed (see scanStatus).")
    thumbnailUrl = serializers.SerializerMethodField()
    scanStatus = serializers.CharField(
        source="document.scan_status", help_text="SCANNING, CLEAN, NOT_SCANNED (no malware scanner) or QUARANTINED."
    )
    attachedBy = serializers.SerializerMethodField()
    createdAt = IsoDateTimeField(source="created_at")

    class Meta:
        model = SubmissionAttachment
        fields = [
            "id",
            "attachmentId",
            "fileId",
            "name",
            "contentType",
            "size",
            "sha256",
            "url",
            "thumbnailUrl",
            "scanStatus",
            "attachedBy",
            "createdAt",
        ]

    def get_url(self, attachment: SubmissionAttachment) -> str | None:
        return document_download_url(attachment.document)

    def get_thumbnailUrl(self, attachment: SubmissionAttachment) -> str:
        return document_thumbnail_url(attachment.document, self.context.get("request"))

    def get_attachedBy(self, attachment: SubmissionAttachment) -> dict[str, str]:
        return actor(attachment.attached_by)


class AttachmentCreateSerializer(serializers.Serializer[Any]):
    fileId = serializers.UUIDField(help_text="The id of an uploaded file (`s3object_id` of /api/s3).")


class ShareEmailSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField()
    message = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class GrantInputSerializer(serializers.Serializer[Any]):
    targetType = serializers.ChoiceField(choices=GrantTargetType.choices)
    targetId = serializers.CharField(max_length=64, help_text="A user id, a role name or an overseer workspace id.")
    accessLevel = serializers.ChoiceField(choices=["viewer"], default="viewer")


class VisibilityUpdateSerializer(serializers.Serializer[Any]):
    mode = serializers.ChoiceField(choices=VisibilityMode.choices)
    grants = GrantInputSerializer(many=True, required=False, default=list)

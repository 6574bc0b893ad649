from django.db import models

MB = 1024 * 1024
# The longest file name accepted (after sanitising), as the client gave it; keys use a shorter sanitised form.
MAX_FILE_NAME_CHARS = 255

# Presigned POST lifetimes, in seconds.
UPLOAD_EXPIRY_SECONDS = 5 * 60
PUBLIC_ACTION_UPLOAD_EXPIRY_SECONDS = 60 * 60
# How long an incoming object may outlive its presigned POST before the sweep removes it, in seconds.
INCOMING_GRACE_SECONDS = 10 * 60
# Lifetime of the presigned GET links and signed thumbnail links we hand out.
DOWNLOAD_URL_EXPIRY_SECONDS = 15 * 60

THUMBNAIL_SIZE = (256, 256)


class DocumentStatus(models.TextChoices):
    AWAITING_UPLOAD = "AWAITING_UPLOAD", "Awaiting upload"
    UPLOADED = "UPLOADED", "Uploaded"
    REJECTED = "REJECTED", "Rejected"


class UploadProblem(models.TextChoices):
    """Why an upload is not accepted (the ``reason`` of the confirm 409, ``document.get`` and the admin)."""

    NOT_RECEIVED = "not_received", "Not received"
    TOO_LARGE = "too_large", "Too large"
    WRONG_SIZE = "wrong_size", "Wrong size"
    WRONG_TYPE = "wrong_type", "Wrong type"
    CONTENT_CHECK_FAILED = "content_check_failed", "Content check failed"


class ScanStatus(models.TextChoices):
    """An accepted file's deep content check and malware scan (documents/scanning.py); served only once it passed."""

    SCANNING = "SCANNING", "Scanning"
    CLEAN = "CLEAN", "Clean"
    NOT_SCANNED = "NOT_SCANNED", "Not scanned for malware (no scanner configured); content checked"
    QUARANTINED = "QUARANTINED", "Quarantined"


class UploadSource(models.TextChoices):
    """The `source` allow-list of the /api/s3 contract, plus the sources our other contracts use."""

    FIELD_VALUE = "field_value"
    FORM_FIELD_VALUE = "form_field_value"
    ACTIVITY_FIELD_VALUE = "activity_field_value"
    AUTOMATION_VALUE = "automation_value"
    EMPLOYEE_IMPORT = "employee_import"
    RECORD_IMPORT = "record_import"
    META_IMPORT = "meta_import"
    SMART_CONNECTOR_IMPORT = "smart_connector_import"
    KNOWLEDGE_SOURCE = "knowledge_source"
    PUBLIC_IMAGE = "public_image"
    THIRD_PARTY_IMAGE = "third_party_image"
    PUBLIC_ACTION = "public_action"
    SUBJECT_DOCUMENT = "subject_document"
    PUBLIC_FORM = "public_form"


# The sources a client may name on GET /api/s3/presigned-post.
S3_API_SOURCES = (
    UploadSource.FIELD_VALUE,
    UploadSource.FORM_FIELD_VALUE,
    UploadSource.ACTIVITY_FIELD_VALUE,
    UploadSource.AUTOMATION_VALUE,
    UploadSource.EMPLOYEE_IMPORT,
    UploadSource.RECORD_IMPORT,
    UploadSource.META_IMPORT,
    UploadSource.SMART_CONNECTOR_IMPORT,
    UploadSource.KNOWLEDGE_SOURCE,
    UploadSource.PUBLIC_IMAGE,
    UploadSource.THIRD_PARTY_IMAGE,
)

_IMPORT_TYPES = (
    "text/csv",
    "application/json",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


# Per-source limits; sources not listed take UPLOAD_DEFAULT_MAX_BYTES (15 MB) and every registered type.
SOURCE_MAX_BYTES = {
    UploadSource.EMPLOYEE_IMPORT: 50 * MB,
    UploadSource.RECORD_IMPORT: 50 * MB,
    UploadSource.META_IMPORT: 50 * MB,
    UploadSource.SMART_CONNECTOR_IMPORT: 50 * MB,
    UploadSource.PUBLIC_IMAGE: 5 * MB,
    UploadSource.THIRD_PARTY_IMAGE: 5 * MB,
}
SOURCE_CONTENT_TYPES = {
    UploadSource.EMPLOYEE_IMPORT: _IMPORT_TYPES,
    UploadSource.RECORD_IMPORT: _IMPORT_TYPES,
    UploadSource.META_IMPORT: _IMPORT_TYPES,
    UploadSource.PUBLIC_IMAGE: _IMAGE_TYPES,
    UploadSource.THIRD_PARTY_IMAGE: _IMAGE_TYPES,
}
# Images of these sources are meant to be shown to anyone: they are uploaded as public objects.
PUBLIC_SOURCES = (UploadSource.PUBLIC_IMAGE, UploadSource.THIRD_PARTY_IMAGE)

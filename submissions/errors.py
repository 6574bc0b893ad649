from rest_framework import status

from config.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed


class FormNotFound(NotFoundError):
    code = "FORM_NOT_FOUND"


class FormNotPublished(ConflictError):
    code = "FORM_NOT_PUBLISHED"


class FormArchived(ConflictError):
    code = "FORM_ARCHIVED"


class SubmissionNotFound(NotFoundError):
    code = "SUBMISSION_NOT_FOUND"


class DraftNotFound(NotFoundError):
    code = "DRAFT_NOT_FOUND"


class SnapshotNotFound(NotFoundError):
    code = "SNAPSHOT_NOT_FOUND"


class AttachmentNotFound(NotFoundError):
    code = "ATTACHMENT_NOT_FOUND"


class InvalidStatusTransition(ConflictError):
    code = "INVALID_STATUS_TRANSITION"


class ReadOnlyAccess(PermissionDeniedError):
    """An overseer workspace sees a granted submission but may not change it."""

    code = "READ_ONLY_ACCESS"


class InvalidGrant(ValidationFailed):
    code = "INVALID_GRANT"


class InvalidAssignee(ValidationFailed):
    code = "INVALID_ASSIGNEE"


class InvalidCursor(ValidationFailed):
    code = "INVALID_CURSOR"


class FileNotFound(NotFoundError):
    code = "FILE_NOT_FOUND"


class DocumentNotAttachable(ApplicationError):
    code = "DOCUMENT_NOT_ATTACHABLE"
    http_status = status.HTTP_409_CONFLICT


class PublicLinkInvalid(NotFoundError):
    """An invitation or draft link that is unknown, expired, revoked, or whose form no longer takes answers."""

    code = "INVALID_TOKEN"


class PublicUploadRefused(ValidationFailed):
    """A public form page asked to upload a file it may not (not a file field, too many files, an old visit)."""

    code = "UPLOAD_REFUSED"


class ExportJobNotFound(NotFoundError):
    code = "EXPORT_JOB_NOT_FOUND"


class ExportNotReady(ConflictError):
    """The job has not written its file (queued, running) or could not (failed)."""

    code = "EXPORT_NOT_READY"


class ExportExpired(ApplicationError):
    code = "EXPORT_EXPIRED"
    http_status = status.HTTP_410_GONE


class ExportRequesterGone(PermissionDeniedError):
    """By the time the worker ran, the requester could no longer export in the workspace."""

    code = "EXPORT_REQUESTER_GONE"

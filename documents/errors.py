from django.conf import settings
from rest_framework import status

from config.errors import ApplicationError


class UnsupportedFileType(ApplicationError):
    code = "UNSUPPORTED_FILE_TYPE"


class ContentTypeMismatch(ApplicationError):
    code = "CONTENT_TYPE_MISMATCH"


class FileTooLarge(ApplicationError):
    code = "FILE_TOO_LARGE"


class UploadNotFound(ApplicationError):
    code = "UPLOAD_NOT_FOUND"


class UploadRejected(ApplicationError):
    code = "UPLOAD_REJECTED"


class UploadMismatch(ApplicationError):
    code = "UPLOAD_MISMATCH"


class DocumentNotFound(ApplicationError):
    code = "DOCUMENT_NOT_FOUND"
    http_status = status.HTTP_404_NOT_FOUND


class DocumentNotReverifiable(ApplicationError):
    code = "DOCUMENT_NOT_REVERIFIABLE"
    http_status = status.HTTP_409_CONFLICT


class StorageUnavailable(ApplicationError):
    """S3 could not be reached, timed out or is busy: nothing was changed; the same call succeeds once it is back."""

    code = "STORAGE_UNAVAILABLE"
    http_status = status.HTTP_503_SERVICE_UNAVAILABLE

    def __init__(self, message: str) -> None:
        retry_after = settings.STORAGE_RETRY_AFTER_SECONDS
        super().__init__(message, details={"retryAfterSeconds": retry_after})
        self.headers = {"Retry-After": str(retry_after)}

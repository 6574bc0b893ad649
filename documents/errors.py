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

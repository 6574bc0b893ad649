"""Links to a document's bytes: short-lived presigned GETs, signed thumbnail links and type icons."""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

from audit.constants import AuditAction
from audit.services import audit_record_read
from documents import s3
from documents.constants import DOWNLOAD_URL_EXPIRY_SECONDS
from documents.filetypes import content_disposition, extension_of, file_type_for_name
from documents.models import Document

THUMBNAIL_SALT = "documents.thumbnail"


def document_download_url(document: Document) -> str | None:
    """The accepted (final) object only: a public file's lasting URL, else a 15-minute presigned GET; None before.

    Every link handed out is in the audit log (``download_link_issued``, by whoever the request is).
    """
    if not document.final_key or not document.servable:  # scanning or quarantined: never served
        return None
    audit_record_read(
        action=AuditAction.DOWNLOAD_LINK_ISSUED,
        workspace_id=document.workspace_id,
        target_type="document",
        target_id=document.uuid,
        name=document.sanitized_name,
    )
    if document.is_public:
        return s3.public_url(document.final_key)
    return s3.presigned_get_url(
        document.final_key,
        expires_in=DOWNLOAD_URL_EXPIRY_SECONDS,
        content_disposition=content_disposition(document.sanitized_name),
    )


def _absolute(request: HttpRequest | None, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def document_thumbnail_url(document: Document, request: HttpRequest | None = None) -> str:
    """A real thumbnail for images and PDFs (made on first view), a type icon for everything else."""
    file_type = file_type_for_name(document.sanitized_name)
    if file_type is not None and (file_type.is_image or file_type.is_pdf):
        token = signing.dumps(str(document.uuid), salt=THUMBNAIL_SALT, compress=True)
        return _absolute(request, reverse("documents:thumbnail", args=[token]))
    return _absolute(request, reverse("documents:icon", args=[extension_of(document.sanitized_name) or "file"]))


def thumbnail_token_document_uuid(token: str) -> str | None:
    try:
        return str(signing.loads(token, salt=THUMBNAIL_SALT, max_age=DOWNLOAD_URL_EXPIRY_SECONDS))
    except signing.BadSignature:
        return None


def size_formatted(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB", "GB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"

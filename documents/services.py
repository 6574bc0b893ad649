"""The upload core: every presigned POST is issued here and every arrival is verified here."""

from __future__ import annotations

import io
import logging
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

import pypdfium2 as pdfium
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from PIL import Image

from config.inputs import strip_bidi_controls
from documents import s3
from documents.constants import (
    PUBLIC_SOURCES,
    SOURCE_CONTENT_TYPES,
    SOURCE_MAX_BYTES,
    THUMBNAIL_SIZE,
    UPLOAD_EXPIRY_SECONDS,
    DocumentStatus,
    UploadSource,
)
from documents.errors import (
    ContentTypeMismatch,
    FileTooLarge,
    UnsupportedFileType,
    UploadMismatch,
    UploadNotFound,
    UploadRejected,
)
from documents.filetypes import (
    MAGIC_PREFIX_BYTES,
    SUPPORTED_EXTENSIONS,
    FileType,
    file_type_for_name,
    normalise_content_type,
)
from documents.keys import build_key, sanitize_file_name, unique_key_segment
from documents.models import Document
from documents.selectors import document_get_for_workspace
from perf.history import bulk_create_with_history, history_rows_create
from workspaces.models import Workspace

logger = logging.getLogger(__name__)


def file_type_require(*, file_name: str, content_type: str | None = None) -> FileType:
    """The registered type of ``file_name``; a declared content type must agree with it."""
    file_type = file_type_for_name(file_name)
    if file_type is None:
        raise UnsupportedFileType(
            f"File type of {file_name!r} is not accepted.",
            details={"fileName": file_name, "allowedExtensions": list(SUPPORTED_EXTENSIONS)},
        )
    if content_type is not None and normalise_content_type(content_type) != file_type.content_type:
        raise ContentTypeMismatch(
            f"Content type {content_type!r} does not match the file name {file_name!r}.",
            details={"contentType": content_type, "expected": file_type.content_type},
        )
    return file_type


def _display_name(file_name: str) -> str:
    """The name people see: bounded, without the characters that reorder how it reads (``cv\u202efdp.exe``)."""
    return strip_bidi_controls(file_name)[:255]


def _sign(document: Document) -> s3.PresignedPost:
    return s3.sign_post(
        key=document.key,
        content_type=document.content_type,
        min_size=document.min_size,
        max_size=document.max_size,
        metadata=document.metadata,
        expires_in=max(1, int((document.upload_expires_at - timezone.now()).total_seconds())),
    )


@dataclass(frozen=True)
class UploadRequest:
    """One file to record and sign in ``document_issue_uploads``: the key is ``key_prefix/<key_name>``."""

    file_name: str
    key_prefix: str
    key_name: str | None = None
    content_type: str | None = None
    exact_size: int | None = None
    metadata: dict[str, str] | None = None
    document_uuid: uuid.UUID | None = None


def _new_document(
    *,
    workspace: Workspace,
    request: UploadRequest,
    source: UploadSource,
    limit: int,
    expires_at: datetime,
    acting_user: User | None,
    is_public: bool,
) -> Document:
    """An unsaved Document awaiting upload (the rules both issuing services share)."""
    file_type = file_type_require(file_name=request.file_name, content_type=request.content_type)
    exact_size = request.exact_size
    if exact_size is not None and not 1 <= exact_size <= limit:
        raise FileTooLarge(
            f"File size must be between 1 and {limit} bytes.", details={"size": exact_size, "maxSize": limit}
        )
    sanitized = sanitize_file_name(request.file_name)
    key = f"{request.key_prefix}/{request.key_name or build_key(unique_key_segment() + '-' + sanitized)}"
    return Document(
        uuid=request.document_uuid or uuid.uuid4(),
        workspace=workspace,
        key=key,
        original_name=_display_name(request.file_name),
        sanitized_name=sanitized,
        content_type=file_type.content_type,
        min_size=exact_size or 1,
        max_size=exact_size or limit,
        source=source,
        is_public=is_public,
        metadata=request.metadata or {},
        upload_expires_at=expires_at,
        created_by=acting_user,
    )


def document_issue_upload(
    *,
    workspace: Workspace,
    file_name: str,
    source: UploadSource,
    key_prefix: str,
    expires_in: int,
    acting_user: User | None,
    content_type: str | None = None,
    max_size: int | None = None,
    exact_size: int | None = None,
    key_name: str | None = None,
    metadata: dict[str, str] | None = None,
    is_public: bool = False,
    document_uuid: uuid.UUID | None = None,
) -> tuple[Document, s3.PresignedPost]:
    """Record a Document awaiting upload and sign the presigned POST that may create its object.

    The key is ``key_prefix/<key_name>``; without ``key_name`` it ends in a random segment plus the
    sanitised name, so two uploads of one name never collide. ``exact_size`` pins the length exactly.
    """
    request = UploadRequest(
        file_name=file_name,
        key_prefix=key_prefix,
        key_name=key_name,
        content_type=content_type,
        exact_size=exact_size,
        metadata=metadata,
        document_uuid=document_uuid,
    )
    document = _new_document(
        workspace=workspace,
        request=request,
        source=source,
        limit=max_size or settings.UPLOAD_DEFAULT_MAX_BYTES,
        expires_at=timezone.now() + timedelta(seconds=expires_in),
        acting_user=acting_user,
        is_public=is_public,
    )
    document.save(force_insert=True)
    return document, _sign(document)


def document_issue_uploads(
    *,
    workspace: Workspace,
    requests: Sequence[UploadRequest],
    source: UploadSource,
    expires_in: int,
    acting_user: User | None,
    max_size: int | None = None,
    is_public: bool = False,
) -> list[tuple[Document, s3.PresignedPost]]:
    """``document_issue_upload`` for many files at once: one INSERT of the documents, one of their history rows.

    Every request is checked before anything is written (an unsupported file type writes nothing); the
    answers come in the order of ``requests``. Run it inside the caller's transaction: a signing failure
    leaves inserted rows for the caller's rollback to remove.
    """
    limit = max_size or settings.UPLOAD_DEFAULT_MAX_BYTES
    expires_at = timezone.now() + timedelta(seconds=expires_in)
    documents = [
        _new_document(
            workspace=workspace,
            request=request,
            source=source,
            limit=limit,
            expires_at=expires_at,
            acting_user=acting_user,
            is_public=is_public,
        )
        for request in requests
    ]
    if not documents:
        return []
    documents = bulk_create_with_history(documents, Document)
    return [(document, _sign(document)) for document in documents]


def document_reissue_uploads(*, documents: Sequence[Document], expires_in: int) -> list[s3.PresignedPost]:
    """Fresh presigned POSTs for the same keys, after missing or rejected uploads, in the order of ``documents``.

    One UPDATE of the documents and one INSERT of their history rows; run it inside the caller's transaction.
    """
    if not documents:
        return []
    now = timezone.now()
    for document in documents:
        document.status = DocumentStatus.AWAITING_UPLOAD
        document.rejection_reason = ""
        document.upload_expires_at = now + timedelta(seconds=expires_in)
        document.updated_at = now
    Document.objects.bulk_update(documents, ["status", "rejection_reason", "upload_expires_at", "updated_at"])
    history_rows_create(documents, history_type="~")
    return [_sign(document) for document in documents]


@dataclass(frozen=True)
class Verification:
    document: Document
    missing: bool = False

    @property
    def accepted(self) -> bool:
        return self.document.status == DocumentStatus.UPLOADED


def _rejection_reason(document: Document, probe: s3.ObjectProbe, expected_etag: str | None) -> str:
    file_type = file_type_for_name(document.sanitized_name)
    declared = document.content_type
    if expected_etag and expected_etag.strip('"') != probe.etag:
        return "The object's ETag does not match the ETag given."
    if not document.min_size <= probe.size <= document.max_size:
        if document.min_size == document.max_size:
            return f"Size {probe.size} bytes differs from the declared {document.max_size} bytes."
        return f"Size {probe.size} bytes is outside the allowed range 1..{document.max_size} bytes."
    if normalise_content_type(probe.content_type or "") != declared:
        return f"Content type {probe.content_type!r} differs from the declared {declared!r}."
    if file_type is None or not file_type.matches(probe.head):
        return f"The file's content is not a valid {declared} file."
    return ""


def document_verify_uploads(
    *,
    documents: Sequence[Document],
    probes: Mapping[str, s3.ObjectProbe | None] | None = None,
    expected_etags: Mapping[str, str] | None = None,
) -> list[Verification]:
    """Check the objects that arrived against what was declared; accept each, or reject it and delete its object.

    A caller that already fetched the objects' first bytes (``s3.probe_object``, e.g. in parallel) passes
    ``probes`` by key, and a document without one counts as missing; otherwise each document still awaiting its
    upload is read here (one ranged GET), before any row is locked: S3 is never waited for inside a transaction.
    Then the documents are locked and read again (one SELECT); every change is written with one UPDATE and one
    INSERT of history rows. A missing object leaves its document awaiting upload; a document that is no longer
    awaiting its upload is left as it is. The answers come in the order of ``documents``.
    """
    if not documents:
        return []
    if probes is None:
        probes = {
            document.key: s3.probe_object(document.key, MAGIC_PREFIX_BYTES)
            for document in documents
            if document.status == DocumentStatus.AWAITING_UPLOAD
        }
    etags = expected_etags or {}
    verifications: list[Verification] = []
    changed: list[Document] = []
    with transaction.atomic():
        locked = Document.objects.select_for_update().filter(pk__in=[document.pk for document in documents])
        current = {document.pk: document for document in locked.order_by("pk")}
        now = timezone.now()
        for document in (current[document.pk] for document in documents):
            if document.status != DocumentStatus.AWAITING_UPLOAD:
                verifications.append(Verification(document=document))
                continue
            probe = probes.get(document.key)
            if probe is None:
                verifications.append(Verification(document=document, missing=True))
                continue
            reason = _rejection_reason(document, probe, etags.get(document.key))
            if reason:
                document.status = DocumentStatus.REJECTED
                document.rejection_reason = reason
            else:
                document.status = DocumentStatus.UPLOADED
                document.etag = probe.etag
                document.uploaded_at = now
            document.size = probe.size
            document.updated_at = now
            changed.append(document)
            verifications.append(Verification(document=document))
        if changed:
            Document.objects.bulk_update(
                changed, ["status", "rejection_reason", "size", "etag", "uploaded_at", "updated_at"]
            )
            history_rows_create(changed, history_type="~")
    for document in changed:
        if document.status == DocumentStatus.REJECTED:
            _delete_quietly(document.key)
    return verifications


def document_verify_upload(*, document: Document, expected_etag: str | None = None) -> Verification:
    """``document_verify_uploads`` of one document, reading its first bytes here (``expected_etag``: ``/api/s3``)."""
    (verification,) = document_verify_uploads(
        documents=[document], expected_etags={document.key: expected_etag} if expected_etag else None
    )
    return verification


def _delete_quietly(key: str) -> None:
    try:
        s3.delete_object(key)
    except Exception:  # the rejection stands even when S3 is briefly unavailable
        logger.exception("Could not delete rejected object %s", key)


# --- The /api/s3 contract ------------------------------------------------------------------------


def s3_upload_issue(
    *, workspace: Workspace, file_name: str, content_type: str, source: str, acting_user: User | None
) -> tuple[Document, s3.PresignedPost]:
    """GET /api/s3/presigned-post: a 5-minute presigned POST for one file of an allowed source."""
    upload_source = UploadSource(source)
    allowed_types = SOURCE_CONTENT_TYPES.get(upload_source)
    file_type = file_type_require(file_name=file_name, content_type=content_type)
    if allowed_types and file_type.content_type not in allowed_types:
        raise UnsupportedFileType(
            f"Source {source!r} does not accept {file_type.content_type} files.",
            details={"source": source, "allowedContentTypes": list(allowed_types)},
        )
    document_uuid = uuid.uuid4()
    is_public = upload_source in PUBLIC_SOURCES
    return document_issue_upload(
        workspace=workspace,
        file_name=file_name,
        content_type=content_type,
        source=upload_source,
        key_prefix=build_key(str(workspace.public_id), "uploads", upload_source.value, str(document_uuid)),
        key_name=sanitize_file_name(file_name),
        max_size=SOURCE_MAX_BYTES.get(upload_source, settings.UPLOAD_DEFAULT_MAX_BYTES),
        expires_in=UPLOAD_EXPIRY_SECONDS,
        acting_user=acting_user,
        is_public=is_public,
        document_uuid=document_uuid,
    )


def s3_upload_complete(
    *,
    workspace: Workspace,
    document_uuid: uuid.UUID,
    key: str | None,
    etag: str | None,
    name: str | None,
    is_public: bool | None,
    business_id: uuid.UUID | None,
    source: str | None,
) -> Document:
    """POST /api/s3/success: verify the object and return the stored file record (the same one twice)."""
    document = document_get_for_workspace(workspace=workspace, document_uuid=document_uuid)
    if business_id is not None and business_id != workspace.public_id:
        raise UploadMismatch("business_id does not name this workspace.", details={"business_id": str(business_id)})
    if key and key != document.key:
        raise UploadMismatch("key does not match the presigned upload.", details={"key": key})
    if source and source.lower() != document.source:
        raise UploadMismatch("source does not match the presigned upload.", details={"source": source})
    if is_public and not document.is_public:
        raise UploadMismatch("Only public_image and third_party_image uploads are public.")

    if document.status == DocumentStatus.UPLOADED:
        if etag and etag.strip('"') != document.etag:
            raise UploadMismatch("etag does not match the stored object.", details={"etag": etag})
        return document
    if document.status == DocumentStatus.REJECTED:
        raise UploadRejected(document.rejection_reason, details={"reason": document.rejection_reason})

    verification = document_verify_upload(document=document, expected_etag=etag)
    document = verification.document
    if verification.missing:
        hint = " The upload window has closed." if document.upload_expired else ""
        raise UploadNotFound(f"No object has been uploaded for this key yet.{hint}", details={"key": document.key})
    if not verification.accepted:
        raise UploadRejected(document.rejection_reason, details={"reason": document.rejection_reason})
    if name and _display_name(name) != document.original_name:
        document.original_name = _display_name(name)
        document.save(update_fields=["original_name", "updated_at"])
    return document


# --- Thumbnails ----------------------------------------------------------------------------------

_THUMBNAIL_SPOOL_BYTES = 4 * 1024 * 1024
Image.MAX_IMAGE_PIXELS = 60_000_000  # refuse decompression bombs instead of rendering them


def _render_thumbnail(stream: IO[bytes], file_type: FileType) -> bytes:
    if file_type.is_pdf:
        pdf = pdfium.PdfDocument(stream)
        try:
            page = pdf[0]
            width, height = page.get_size()
            scale = max(THUMBNAIL_SIZE) / max(width, height, 1)
            image = page.render(scale=scale).to_pil()
        finally:
            pdf.close()
    else:
        image = Image.open(stream)
        image.draft("RGB", THUMBNAIL_SIZE)  # JPEG: decode at a reduced size
    image.thumbnail(THUMBNAIL_SIZE)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def document_thumbnail_ensure(*, document: Document) -> str | None:
    """The key of the document's thumbnail, rendered and stored on first request (images and PDFs only).

    This is the one place a file's bytes are read, streamed from S3 into a spooled buffer, off the upload path.
    """
    if document.thumbnail_key:
        return document.thumbnail_key
    file_type = file_type_for_name(document.sanitized_name)
    if document.status != DocumentStatus.UPLOADED or file_type is None or not (file_type.is_image or file_type.is_pdf):
        return None
    with tempfile.SpooledTemporaryFile(max_size=_THUMBNAIL_SPOOL_BYTES) as spool:
        try:
            with s3.open_object(document.key) as body:  # an S3 fault is StorageUnavailable: a 503, not an icon
                for chunk in body.iter_chunks(chunk_size=256 * 1024):
                    spool.write(chunk)
        except s3.ObjectMissing:  # the object is gone: the type icon, since a retry cannot bring it back
            logger.warning("Document %s is uploaded but its object %s is missing", document.uuid, document.key)
            return None
        spool.seek(0)
        try:
            png = _render_thumbnail(spool, file_type)
        except Exception:  # a corrupt or hostile file gets the type icon, never a 500
            logger.warning("Could not render a thumbnail for document %s", document.uuid, exc_info=True)
            return None
    thumbnail_key = build_key("thumbnails", str(document.workspace.public_id), f"{document.uuid}.png")
    s3.put_object(thumbnail_key, png, "image/png")
    Document.objects.filter(pk=document.pk).update(thumbnail_key=thumbnail_key)
    document.thumbnail_key = thumbnail_key
    return thumbnail_key

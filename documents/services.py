"""The upload core: every presigned POST is issued here and every arrival is verified here."""

from __future__ import annotations

import base64
import io
import logging
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

import pypdfium2 as pdfium
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Case, F, Value, When
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
    UploadProblem,
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
    content_disposition,
    file_type_for_name,
    normalise_content_type,
)
from documents.keys import THUMBNAIL_PREFIX, build_key, final_key, sanitize_file_name
from documents.models import Document
from documents.selectors import document_get_for_workspace
from documents.webhooks import document_events_emit
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
    key_name: str
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
    key = f"{request.key_prefix}/{build_key(request.key_name)}"
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
    key_name: str,
    expires_in: int,
    acting_user: User | None,
    content_type: str | None = None,
    max_size: int | None = None,
    exact_size: int | None = None,
    metadata: dict[str, str] | None = None,
    is_public: bool = False,
    document_uuid: uuid.UUID | None = None,
) -> tuple[Document, s3.PresignedPost]:
    """Record a Document awaiting upload and sign the presigned POST that may create its object.

    The key is ``key_prefix/<key_name>`` (a name from ``documents.keys.free_key_name``, or one the caller made
    unique). ``exact_size`` pins the length exactly.
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

    The reason a file was not accepted stays (a missing file without one is ``not_received``). Every document gets
    the same new expiry, so this is one UPDATE per chunk of ids whatever the number of files; history rows are
    written only for documents whose status changes (rejected -> awaiting), not for every expiry refresh.
    Run it inside the caller's transaction.
    """
    if not documents:
        return []
    now = timezone.now()
    expires_at = now + timedelta(seconds=expires_in)
    reopened = [document for document in documents if document.status != DocumentStatus.AWAITING_UPLOAD]
    for document in documents:
        document.status = DocumentStatus.AWAITING_UPLOAD
        document.problem = document.problem or UploadProblem.NOT_RECEIVED
        document.upload_expires_at = expires_at
        document.updated_at = now
    not_received = Case(When(problem="", then=Value(UploadProblem.NOT_RECEIVED)), default=F("problem"))
    for ids in _chunks([document.pk for document in documents]):
        Document.objects.filter(pk__in=ids).update(
            status=DocumentStatus.AWAITING_UPLOAD, problem=not_received, upload_expires_at=expires_at, updated_at=now
        )
    if reopened:
        history_rows_create(reopened, history_type="~")
    return [_sign(document) for document in documents]


def _chunks(ids: list[int], size: int = 10_000) -> Iterator[list[int]]:
    """Id lists short enough for any database's parameter limit (PostgreSQL: 65,535 per statement)."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@dataclass(frozen=True)
class Verification:
    document: Document
    missing: bool = False

    @property
    def accepted(self) -> bool:
        return self.document.status == DocumentStatus.UPLOADED


def _content_problem(document: Document, probe: s3.ObjectProbe) -> tuple[UploadProblem, str] | None:
    """Why the arrived object does not match what was declared (the problem and a sentence), or None."""
    file_type = file_type_for_name(document.sanitized_name)
    declared = document.content_type
    if probe.size > document.max_size:
        if document.min_size == document.max_size:
            return (
                UploadProblem.WRONG_SIZE,
                f"Size {probe.size} bytes differs from the declared {document.max_size} bytes.",
            )
        return (
            UploadProblem.TOO_LARGE,
            f"Size {probe.size} bytes is outside the allowed range 1..{document.max_size} bytes.",
        )
    if probe.size < document.min_size:
        return UploadProblem.WRONG_SIZE, f"Size {probe.size} bytes differs from the declared {document.min_size} bytes."
    if normalise_content_type(probe.content_type or "") != declared:
        return UploadProblem.WRONG_TYPE, f"Content type {probe.content_type!r} differs from the declared {declared!r}."
    if file_type is None or not file_type.matches(probe.head):
        return UploadProblem.CONTENT_CHECK_FAILED, f"The file's content is not a valid {declared} file."
    return None


@dataclass(frozen=True)
class FinalObject:
    """An accepted object's copy: its key, its SHA-256 (hex) and the ETag of the version that was checked."""

    key: str
    sha256: str
    etag: str
    size: int


def document_accept(*, document: Document, probe: s3.ObjectProbe, workspace_id: str) -> FinalObject | None:
    """The acceptance step: copy the checked version of the upload to a final key no presign names.

    A server-side CopyObject, pinned to the checked ETag, with S3 computing the SHA-256; no transaction is open.
    None when the upload was replaced since it was checked (it is checked again next time). Recording the result
    and deleting the upload happen in ``document_verify_uploads``. ``workspace_id``: the workspace's public id
    (passed in, as this runs in worker threads that must not query).
    """
    key = final_key(
        workspace_id=workspace_id,
        document_uuid=str(document.uuid),
        sanitized_name=document.sanitized_name,
        public=document.is_public,
        version=probe.etag,
    )
    checksum = s3.copy_object(
        source_key=document.key,
        source_etag=probe.etag,
        key=key,
        content_type=document.content_type,
        content_disposition=content_disposition(document.sanitized_name),
        metadata=document.metadata,
    )
    if checksum is None:
        return None
    return FinalObject(key=key, sha256=base64.b64decode(checksum).hex(), etag=probe.etag, size=probe.size)


@dataclass
class _Arrival:
    probe: s3.ObjectProbe
    problem: tuple[UploadProblem, str] | None
    final: FinalObject | None = None


def document_verify_uploads(
    *, documents: Sequence[Document], probes: Mapping[str, s3.ObjectProbe | None] | None = None
) -> list[Verification]:
    """Check the objects that arrived against what was declared; accept each (``document_accept``), or reject it.

    Three steps, so no transaction is open while S3 answers: read each upload (or take ``probes`` by key, e.g.
    fetched in parallel; a document without one counts as missing) and copy the good ones to their final keys;
    then lock the documents and record every outcome (one UPDATE, one INSERT of history rows); then delete the
    uploads that were settled, and any copy that lost a race. A missing object leaves its document awaiting
    upload; a document that is no longer awaiting is left as it is, and an object on its upload key is removed.
    The answers come in the order of ``documents``.
    """
    if not documents:
        return []
    arrivals: dict[int, _Arrival] = {}
    for document in documents:
        if document.status != DocumentStatus.AWAITING_UPLOAD:
            continue
        probe = s3.probe_object(document.key, MAGIC_PREFIX_BYTES) if probes is None else probes.get(document.key)
        if probe is not None:
            arrivals[document.pk] = _Arrival(probe=probe, problem=_content_problem(document, probe))
    good = [document for document in documents if document.pk in arrivals and arrivals[document.pk].problem is None]
    workspace_ids = dict(Workspace.objects.filter(pk__in={d.workspace_id for d in good}).values_list("pk", "public_id"))

    def accept(document: Document) -> FinalObject | None:
        workspace_id = str(workspace_ids[document.workspace_id])
        return document_accept(document=document, probe=arrivals[document.pk].probe, workspace_id=workspace_id)

    finals = s3.in_parallel(accept, good)
    for document, final in zip(good, finals, strict=True):
        arrivals[document.pk].final = final

    verifications: list[Verification] = []
    changed: list[Document] = []
    discard: list[str] = []
    with transaction.atomic():
        locked = Document.objects.select_for_update().filter(pk__in=[document.pk for document in documents])
        current = {document.pk: document for document in locked.order_by("pk")}
        now = timezone.now()
        for document in (current[document.pk] for document in documents):
            arrival = arrivals.get(document.pk)
            if arrival is None or document.status != DocumentStatus.AWAITING_UPLOAD:
                if arrival is not None:  # settled meanwhile: this upload, and its copy unless it is the record's
                    copy = arrival.final.key if arrival.final and arrival.final.key != document.final_key else ""
                    discard.extend(key for key in (document.key, copy) if key)
                verifications.append(Verification(document=document, missing=arrival is None))
                continue
            if arrival.problem is None and arrival.final is None:  # replaced since it was read: not settled yet
                verifications.append(Verification(document=document, missing=True))
                continue
            _record(document, arrival, now)
            changed.append(document)
            verifications.append(Verification(document=document))
        if changed:
            Document.objects.bulk_update(changed, _VERIFIED_FIELDS, batch_size=500)
            history_rows_create(changed, history_type="~")
            accepted = [document.pk for document in changed if document.status == DocumentStatus.UPLOADED]
            if accepted:
                _scans_enqueue_on_commit(accepted)
            document_events_emit(changed)
    for key in [document.key for document in changed] + discard:
        _delete_quietly(key)
    return verifications


_VERIFIED_FIELDS = [
    "status",
    "problem",
    "rejection_reason",
    "size",
    "etag",
    "final_key",
    "sha256",
    "uploaded_at",
    "updated_at",
]


def _scans_enqueue_on_commit(document_ids: list[int]) -> None:
    """The scan of each accepted file is queued on the task engine once acceptance commits; a broker outage is
    logged, not the caller's error (celery beat's ``document_scans_resume`` queues what it missed)."""
    from documents.tasks import document_scans_enqueue  # the tasks module imports this one

    transaction.on_commit(lambda: document_scans_enqueue(document_ids), robust=True)


def _record(document: Document, arrival: _Arrival, now: datetime) -> None:
    if arrival.final is not None:
        document.status = DocumentStatus.UPLOADED
        document.problem, document.rejection_reason = "", ""
        document.final_key, document.sha256, document.etag = arrival.final.key, arrival.final.sha256, arrival.final.etag
        document.uploaded_at = now
    elif arrival.problem is not None:
        document.status = DocumentStatus.REJECTED
        document.problem, document.rejection_reason = arrival.problem
    document.size = arrival.probe.size
    document.updated_at = now


def document_verify_upload(*, document: Document) -> Verification:
    """``document_verify_uploads`` of one document, reading its first bytes here."""
    (verification,) = document_verify_uploads(documents=[document])
    return verification


def document_upload_discard(*, document: Document) -> None:
    """Delete what a still-valid presign put on the upload key of a document already accepted or rejected."""
    if document.status != DocumentStatus.AWAITING_UPLOAD:
        _delete_quietly(document.key)


def _delete_quietly(key: str) -> None:
    try:
        s3.delete_object(key)
    except Exception:  # the outcome stands even when S3 is briefly unavailable; the sweep deletes it later
        logger.exception("Could not delete object %s", key)


def _rejection_details(document: Document) -> dict[str, str]:
    return {"reason": document.rejection_reason, "problem": document.problem}


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

    if document.status != DocumentStatus.AWAITING_UPLOAD:
        document_upload_discard(document=document)
        if document.status == DocumentStatus.REJECTED:
            raise UploadRejected(document.rejection_reason, details=_rejection_details(document))
        if etag and etag.strip('"') != document.etag:
            raise UploadMismatch("etag does not match the stored object.", details={"etag": etag})
        return document

    probe = s3.probe_object(document.key, MAGIC_PREFIX_BYTES)
    if probe is not None and etag and etag.strip('"') != probe.etag:  # a mistake, not a failed check: keep the file
        raise UploadMismatch("etag does not match the uploaded object.", details={"etag": etag})
    verification = document_verify_uploads(documents=[document], probes={document.key: probe})[0]
    document = verification.document
    if verification.missing:
        hint = " The upload window has closed." if document.upload_expired else ""
        raise UploadNotFound(f"No object has been uploaded for this key yet.{hint}", details={"key": document.key})
    if not verification.accepted:
        raise UploadRejected(document.rejection_reason, details=_rejection_details(document))
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


def thumbnail_renderable(document: Document) -> bool:
    """Whether a thumbnail can be made: a servable (scanned) image or PDF with its final object."""
    file_type = file_type_for_name(document.sanitized_name)
    return (
        bool(document.final_key)
        and document.servable
        and file_type is not None
        and (file_type.is_image or file_type.is_pdf)
    )


def document_thumbnail_ensure(*, document: Document) -> str | None:
    """The key of the document's thumbnail, rendered and stored once (images and PDFs only; the worker's task).

    This is the one place a file's bytes are read: the final object (never the upload key), streamed from S3 into a
    spooled buffer, off the upload path.
    """
    if document.thumbnail_key:
        return document.thumbnail_key
    if not thumbnail_renderable(document):
        return None
    file_type = file_type_for_name(document.sanitized_name)
    assert file_type is not None
    with tempfile.SpooledTemporaryFile(max_size=_THUMBNAIL_SPOOL_BYTES) as spool:
        try:
            with s3.open_object(document.final_key) as body:  # an S3 fault is StorageUnavailable: a 503, not an icon
                for chunk in body.iter_chunks(chunk_size=256 * 1024):
                    spool.write(chunk)
        except s3.ObjectMissing:  # the object is gone: the type icon, since a retry cannot bring it back
            logger.warning("Document %s is uploaded but its object %s is missing", document.uuid, document.final_key)
            return None
        spool.seek(0)
        try:
            png = _render_thumbnail(spool, file_type)
        except Exception:  # a corrupt or hostile file gets the type icon, never a 500
            logger.warning("Could not render a thumbnail for document %s", document.uuid, exc_info=True)
            return None
    thumbnail_key = build_key(THUMBNAIL_PREFIX, str(document.workspace.public_id), f"{document.uuid}.png")
    s3.put_object(thumbnail_key, png, "image/png")
    Document.objects.filter(pk=document.pk).update(thumbnail_key=thumbnail_key)
    document.thumbnail_key = thumbnail_key
    return thumbnail_key

"""Deep content checks and malware scanning of accepted files, off the request path.

An accepted document is ``SCANNING`` and is neither served nor thumbnailed until ``document_scan`` settles it: the
stored object is streamed from S3 into a spooled file, opened as its type (Pillow, pypdfium2, the parts of an
Office Open XML package, UTF-8/JSON text) and, when ``CLAMAV_URL`` names a clamd, sent to it with INSTREAM. A
failed check quarantines the document with a reason for reviewers; with no clamd configured a document that opens
as its type is ``NOT_SCANNED``, never ``CLEAN``. S3 or clamd being unavailable leaves it ``SCANNING`` for a retry.
Acceptance enqueues the scan on the task engine (``documents.tasks.document_scans``); celery beat resumes any left
waiting (``document_scans_resume``).
"""

from __future__ import annotations

import codecs
import json
import logging
import tempfile
import zipfile
from datetime import datetime
from typing import IO

import pypdfium2 as pdfium
from django.db import transaction
from django.utils import timezone
from PIL import Image

from documents import s3
from documents.clamav import ScannerUnavailable, clamav_configured, clamav_scan
from documents.constants import DocumentStatus, ScanStatus
from documents.errors import DocumentNotReverifiable, StorageUnavailable
from documents.filetypes import FileType, file_type_for_name
from documents.models import Document
from documents.services import document_verify_upload

logger = logging.getLogger(__name__)

_SPOOL_BYTES = 4 * 1024 * 1024
_PIL_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/tiff": "TIFF",
}
# The part every package of the type has, beside [Content_Types].xml (ECMA-376 part 2).
_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word/document.xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xl/workbook.xml",
}
_MAX_UNPACKED_RATIO = 100  # an OOXML package that unpacks to more than 100x its size is refused (a zip bomb)


class ContentCheckFailed(Exception):
    """The file does not open as the type it was declared as."""


def _check_image(stream: IO[bytes], file_type: FileType) -> None:
    with Image.open(stream) as image:
        if image.format != _PIL_FORMATS.get(file_type.content_type):
            raise ContentCheckFailed(f"The file is a {image.format} image, not {file_type.content_type}.")
        image.verify()
    stream.seek(0)
    with Image.open(stream) as image:
        image.load()  # verify() does not decode: a truncated image fails only here


def _check_pdf(stream: IO[bytes]) -> None:
    pdf = pdfium.PdfDocument(stream)
    try:
        if len(pdf) < 1:
            raise ContentCheckFailed("The PDF has no pages.")
    finally:
        pdf.close()


def _check_ooxml(stream: IO[bytes], file_type: FileType, size: int) -> None:
    with zipfile.ZipFile(stream) as package:
        names = set(package.namelist())
        main_part = _OOXML_MAIN_PARTS[file_type.content_type]
        if "[Content_Types].xml" not in names or main_part not in names:
            raise ContentCheckFailed(f"The package has no [Content_Types].xml or {main_part}.")
        if sum(info.file_size for info in package.infolist()) > _MAX_UNPACKED_RATIO * max(size, 1):
            raise ContentCheckFailed("The package unpacks to more than 100 times its size.")
        broken = package.testzip()
        if broken is not None:
            raise ContentCheckFailed(f"The package's part {broken} is corrupt.")


def _check_text(stream: IO[bytes], file_type: FileType) -> None:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    text: list[str] = []
    while chunk := stream.read(256 * 1024):
        if b"\0" in chunk:
            raise ContentCheckFailed("The text contains NUL bytes.")
        piece = decoder.decode(chunk)
        if file_type.content_type == "application/json":
            text.append(piece)
    decoder.decode(b"", final=True)
    if file_type.content_type == "application/json":
        json.loads("".join(text))


def content_problem(stream: IO[bytes], file_type: FileType, size: int) -> str:
    """Why the file does not open as its type, or "" when it does (heic has no decoder here: its magic is all)."""
    try:
        if file_type.is_image:
            _check_image(stream, file_type)
        elif file_type.is_pdf:
            _check_pdf(stream)
        elif file_type.content_type in _OOXML_MAIN_PARTS:
            _check_ooxml(stream, file_type, size)
        elif file_type.content_type.startswith("text/") or file_type.content_type == "application/json":
            _check_text(stream, file_type)
    except ContentCheckFailed as exc:
        return f"Content check failed: {exc}"
    except Exception as exc:  # what a decoder raises on a hostile file is not ours to enumerate
        return f"Content check failed: the file does not open as {file_type.content_type} ({type(exc).__name__})."
    return ""


def document_scans_pending(*, limit: int = 50, accepted_before: datetime | None = None) -> list[int]:
    """Accepted documents waiting for their scan (those accepted before ``accepted_before``), oldest first."""
    pending = Document.objects.filter(status=DocumentStatus.UPLOADED, scan_status=ScanStatus.SCANNING)
    if accepted_before is not None:
        pending = pending.filter(uploaded_at__lt=accepted_before)
    return list(pending.order_by("uploaded_at", "pk").values_list("pk", flat=True)[:limit])


def document_scan(document_id: int) -> Document | None:
    """Check one accepted document in depth and record the outcome; None when it is not waiting for a scan.

    Idempotent (a task engine may deliver it twice): the outcome is written only while the document still waits.
    Nothing is locked while S3 or clamd is read.
    """
    document = Document.objects.filter(pk=document_id).first()
    if document is None or document.status != DocumentStatus.UPLOADED or document.scan_status != ScanStatus.SCANNING:
        return None
    file_type = file_type_for_name(document.sanitized_name)
    try:
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
            with s3.open_object(document.final_key) as body:  # the final object: no presign can change it
                for chunk in body.iter_chunks(chunk_size=256 * 1024):
                    spool.write(chunk)
            size = spool.tell()
            spool.seek(0)
            reason = content_problem(spool, file_type, size) if file_type is not None else "Unknown file type."
            found = None
            if not reason and clamav_configured():
                spool.seek(0)
                found = clamav_scan(spool)
    except (StorageUnavailable, ScannerUnavailable) as exc:
        logger.warning("Scan of document %s postponed: %s", document.uuid, exc)
        return document
    except s3.ObjectMissing:  # nothing to serve, ever: a retry cannot bring it back
        reason, found = "The stored object is missing.", None
    if found:
        reason = f"Malware found: {found}."
    passed = ScanStatus.CLEAN if clamav_configured() else ScanStatus.NOT_SCANNED
    outcome = ScanStatus.QUARANTINED if reason else passed
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.scan_status == ScanStatus.SCANNING:
            document.scan_status, document.scan_reason, document.scanned_at = outcome, reason, timezone.now()
            document.save(update_fields=["scan_status", "scan_reason", "scanned_at", "updated_at"])
    if reason:
        logger.warning("Document %s quarantined: %s", document.uuid, reason)
    return document


def document_scans_run(document_ids: list[int]) -> list[int]:
    """Scan these documents; the ids of those postponed (S3 or clamd unavailable), to be tried again later."""
    postponed = []
    for document_id in document_ids:
        document = document_scan(document_id)
        if document is not None and document.scan_status == ScanStatus.SCANNING:
            postponed.append(document_id)
    return postponed


def document_reverify(*, document: Document) -> str:
    """Check a file again, as a reviewer asks from the admin; what happens, in words.

    Awaiting its upload: the arrived object is verified now (its size and first bytes only, as a confirmation
    does). Accepted: it goes back to ``SCANNING`` (not served meanwhile) and its scan is queued on the task engine
    again. A rejected upload was deleted: there is nothing to check (``DocumentNotReverifiable``).
    """
    if document.status == DocumentStatus.AWAITING_UPLOAD:
        verification = document_verify_upload(document=document)
        if verification.missing:
            return "Nothing has arrived for this upload yet."
        return "Accepted." if verification.accepted else f"Rejected: {verification.document.rejection_reason}"
    if document.status == DocumentStatus.REJECTED:
        raise DocumentNotReverifiable("A rejected upload is deleted; the client has to upload the file again.")
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        locked.scan_status, locked.scan_reason, locked.scanned_at = ScanStatus.SCANNING, "", None
        locked.save(update_fields=["scan_status", "scan_reason", "scanned_at", "updated_at"])
        from documents.tasks import document_scans_enqueue  # the tasks module imports this one

        transaction.on_commit(lambda: document_scans_enqueue([locked.pk]), robust=True)
    return "Queued for a new content check and malware scan; it is not served until that passes."

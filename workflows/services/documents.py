"""Writes of the document contract: ``/document.create`` and the lazy upload check of ``/document.get``."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from documents import s3
from documents.constants import UPLOAD_EXPIRY_SECONDS, DocumentStatus, UploadSource
from documents.errors import UnsupportedFileType
from documents.filetypes import extension_of
from documents.services import document_issue_upload, document_verify_upload, file_type_require
from workflows.document_types import DOCUMENT_FILE_TYPES
from workflows.ids import subject_document_id
from workflows.models import SubjectRecordDocument
from workflows.selectors.documents import subject_document_get, subject_record_get
from workspaces.models import Workspace


def subject_document_create(
    *,
    workspace: Workspace,
    subject_record_id: str,
    file_name: str,
    file_size_in_bytes: int,
    acting_user: User | None,
) -> tuple[SubjectRecordDocument, s3.PresignedPost]:
    """Record a document of a subject record and sign its 5-minute presigned POST.

    The key is ``<subject_record_id>/<document_id>.<ext>``; the policy pins that key, the content type derived from
    the extension, ``x-amz-meta-document-id`` and a content-length-range of exactly ``file_size_in_bytes``.
    """
    record = subject_record_get(workspace=workspace, public_id=subject_record_id)
    if extension_of(file_name) not in DOCUMENT_FILE_TYPES:  # refused before anything is written
        raise UnsupportedFileType(
            f"File type of {file_name!r} is not accepted.",
            details={"fileName": file_name, "allowedExtensions": list(DOCUMENT_FILE_TYPES)},
        )
    file_type_require(file_name=file_name)
    document_id = subject_document_id()
    with transaction.atomic():
        document, post = document_issue_upload(
            workspace=workspace,
            file_name=file_name,
            source=UploadSource.SUBJECT_DOCUMENT,
            key_prefix=record.public_id,
            key_name=f"{document_id}.{extension_of(file_name)}",
            exact_size=file_size_in_bytes,
            metadata={"document-id": document_id},
            expires_in=UPLOAD_EXPIRY_SECONDS,
            acting_user=acting_user,
        )
        link = SubjectRecordDocument.objects.create(public_id=document_id, subject_record=record, document=document)
    return link, post


def subject_document_refresh(*, link: SubjectRecordDocument) -> SubjectRecordDocument:
    """Check S3 for a document still awaiting its upload (the lazy path next to the S3-event worker).

    When S3 cannot be reached this is StorageUnavailable (503) and the document keeps its state.
    """
    if link.document.status == DocumentStatus.AWAITING_UPLOAD:
        link.document = document_verify_upload(document=link.document).document
    return link


def subject_document_fetch(*, workspace: Workspace, document_id: str) -> SubjectRecordDocument:
    """``/document.get``: the document of this workspace, its upload status brought up to date."""
    return subject_document_refresh(link=subject_document_get(workspace=workspace, public_id=document_id))

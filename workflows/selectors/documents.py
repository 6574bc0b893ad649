"""Reads of the document contract. Every lookup is scoped to one workspace: another workspace's row is missing."""

from __future__ import annotations

from django.utils import timezone

from documents.constants import DocumentStatus
from documents.models import Document
from workflows.constants import UploadStatus
from workflows.errors import DocumentNotFound, SubjectRecordNotFound
from workflows.models import SubjectRecord, SubjectRecordDocument
from workspaces.models import Workspace


def subject_record_get(*, workspace: Workspace, public_id: str) -> SubjectRecord:
    record = SubjectRecord.objects.filter(workspace=workspace, public_id=public_id).first()
    if record is None:
        raise SubjectRecordNotFound(
            "No such subject record in this workspace.", details={"subject_record_id": public_id}
        )
    return record


def subject_document_get(*, workspace: Workspace, public_id: str) -> SubjectRecordDocument:
    link = (
        SubjectRecordDocument.objects.select_related("document", "subject_record")
        .filter(public_id=public_id, subject_record__workspace=workspace, document__workspace=workspace)
        .first()
    )
    if link is None:
        raise DocumentNotFound("No such document in this workspace.", details={"document_id": public_id})
    return link


def upload_status(document: Document) -> UploadStatus:
    """PENDING until the object arrives, then UPLOADED or REJECTED; EXPIRED once the upload window closed empty."""
    if document.status == DocumentStatus.UPLOADED:
        return UploadStatus.UPLOADED
    if document.status == DocumentStatus.REJECTED:
        return UploadStatus.REJECTED
    if document.upload_expires_at <= timezone.now():
        return UploadStatus.EXPIRED
    return UploadStatus.PENDING

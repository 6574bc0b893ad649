"""factory_boy factories of the documents app: the one Document factory every suite uses."""

from __future__ import annotations

import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from documents.constants import DocumentStatus, ScanStatus, UploadSource
from documents.models import Document
from tests.workspaces.factories import WorkspaceFactory


class UploadedDocumentFactory(factory.django.DjangoModelFactory[Document]):
    """A document whose upload was verified and accepted."""

    class Meta:
        model = Document

    workspace = factory.SubFactory(WorkspaceFactory)
    uuid = factory.LazyFunction(uuid.uuid4)
    original_name = "passport.pdf"
    sanitized_name = factory.LazyAttribute(lambda d: d.original_name)
    key = factory.LazyAttribute(lambda d: f"{d.workspace.public_id}/uploads/{d.uuid}/{d.sanitized_name}")
    final_key = factory.LazyAttribute(lambda d: f"objects/{d.workspace.public_id}/{d.uuid}/0-{d.sanitized_name}")
    content_type = "application/pdf"
    max_size = 15 * 1024 * 1024
    size = 1234
    status = DocumentStatus.UPLOADED
    scan_status = ScanStatus.CLEAN  # checked and scanned: served
    source = UploadSource.FORM_FIELD_VALUE
    upload_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=5))
    uploaded_at = factory.LazyFunction(timezone.now)

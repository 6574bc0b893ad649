"""The periodic sweep of upload keys: what a still-valid presign left behind, and uploads nobody confirmed.

Run by celery beat (``documents.tasks.document_uploads_sweep_run``) and ``manage.py sweep_uploads``; in production
the bucket lifecycle (``deploy/s3-lifecycle.json``) expires upload keys that no sweep saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from documents import s3
from documents.constants import INCOMING_GRACE_SECONDS, S3_API_SOURCES, DocumentStatus
from documents.models import Document
from documents.services import document_verify_uploads

BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    verified: int  # expired uploads checked: each accepted or rejected, or found missing
    discarded: int  # upload keys of settled documents cleared
    removed_documents: int  # expired, never-uploaded documents nothing refers to


def document_uploads_sweep(*, since: timedelta = timedelta(days=1), now: datetime | None = None) -> SweepResult:
    """Settle every upload past its expiry and clear every upload key a presign could still have filled.

    1. Documents still awaiting their upload whose presign expired (+ grace) within ``since`` are verified as a
       confirm would: an object that arrived in time is accepted (copied to its final key) or rejected; its upload
       key is emptied either way. Those with no object that nothing refers to (an ``/api/s3`` presign never used)
       are deleted.
    2. The upload keys of documents accepted or rejected whose presign expired within ``since`` are deleted
       (DeleteObjects, 1,000 keys per call): a still-valid presign may have filled them after the decision.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=INCOMING_GRACE_SECONDS)
    expired = Document.objects.filter(
        status=DocumentStatus.AWAITING_UPLOAD, upload_expires_at__lt=cutoff, upload_expires_at__gte=now - since
    )
    verified = removed = 0
    last_pk = 0
    while batch := list(expired.filter(pk__gt=last_pk).order_by("pk")[:BATCH]):
        last_pk = batch[-1].pk
        verifications = document_verify_uploads(documents=batch)
        verified += len(batch)
        for verification in verifications:
            document = verification.document
            if verification.missing and document.source in S3_API_SOURCES:
                removed += _delete_if_unreferenced(document)

    settled = Document.objects.filter(
        status__in=(DocumentStatus.UPLOADED, DocumentStatus.REJECTED), upload_expires_at__gte=now - since
    ).values_list("key", flat=True)
    keys = list(settled)
    s3.delete_objects(keys)
    return SweepResult(verified=verified, discarded=len(keys), removed_documents=removed)


def _delete_if_unreferenced(document: Document) -> int:
    try:
        with transaction.atomic():
            document.delete()
    except ProtectedError:  # a higher app's record still names it (e.g. a pending public action file)
        return 0
    return 1

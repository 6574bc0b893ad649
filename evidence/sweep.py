"""The expiry sweep of evidence packs: the S3 files of packs past ``EVIDENCE_PACK_FILE_TTL_DAYS`` are deleted and
the packs marked EXPIRED (their links then answer 410 ``EVIDENCE_PACK_EXPIRED``; the row and its SHA-256 stay).

Run by celery beat (``evidence.tasks.evidence_files_sweep_run``) and ``manage.py sweep_expired_files``. No
transaction is open across an S3 call: a batch is read, its objects deleted, then its packs marked, each statement
committing on its own. Idempotent and safe when an object is already gone (S3 deletes a missing key without error).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from documents import s3
from evidence.constants import PackState
from evidence.models import EvidencePack

logger = logging.getLogger(__name__)

BATCH = 250  # packs per DeleteObjects call (two keys each)


def evidence_files_expire(*, now: datetime | None = None, batch_size: int = BATCH) -> int:
    """Delete the files of READY packs generated more than the TTL ago and mark them EXPIRED; the number marked.

    A pack whose object S3 refused to delete stays READY (its links already answer 410) and is tried again by the
    next run; an S3 outage raises ``StorageUnavailable`` with the batches before it done.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EVIDENCE_PACK_FILE_TTL_DAYS)
    due = EvidencePack.objects.filter(state=PackState.READY, finished_at__lte=cutoff).order_by("pk")
    expired = last_pk = 0
    while batch := list(due.filter(pk__gt=last_pk).values_list("pk", "pdf_key", "json_key")[:batch_size]):
        last_pk = batch[-1][0]
        refused = set(s3.delete_objects([key for _, *keys in batch for key in keys if key]))
        gone = [pk for pk, *keys in batch if refused.isdisjoint(keys)]
        expired += EvidencePack.objects.filter(pk__in=gone, state=PackState.READY).update(state=PackState.EXPIRED)
    if expired:
        logger.info("Deleted the files of %d expired evidence pack(s)", expired)
    return expired

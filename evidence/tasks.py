"""Background work of evidence packs (``celery -A config worker``)."""

from celery import Task, shared_task

from documents.errors import StorageUnavailable
from evidence.generate import evidence_pack_generate, evidence_pack_give_up
from evidence.sweep import evidence_files_expire

MAX_RETRIES = 5


@shared_task(bind=True, max_retries=MAX_RETRIES)
def evidence_pack_build(self: Task, pack_pk: int) -> None:
    """Generate one pack; an S3 outage is retried with back-off (10 s, 20 s, ... ~5 min), then the pack FAILED."""
    try:
        evidence_pack_generate(pack_pk=pack_pk)
    except StorageUnavailable as exc:
        if self.request.retries >= MAX_RETRIES:
            evidence_pack_give_up(pack_pk=pack_pk, reason=f"{exc.message} (gave up after {MAX_RETRIES} retries)")
            return
        raise self.retry(countdown=10 * 2**self.request.retries) from exc


@shared_task(ignore_result=True)
def evidence_files_sweep_run() -> int:
    """Delete the files of evidence packs past their expiry (celery beat, every EXPIRED_FILES_SWEEP_MINUTES)."""
    return evidence_files_expire()

"""Background work on documents: scans, thumbnails, the S3-event queue and the upload sweep (``celery -A config
worker``). Every task is idempotent: the broker may deliver one twice (late acknowledgement)."""

from collections.abc import Sequence
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from documents.events import document_events_drain
from documents.models import Document
from documents.scanning import document_scans_pending, document_scans_run
from documents.services import document_thumbnail_ensure
from documents.sweep import document_uploads_sweep

SCAN_BATCH = 10  # documents per scan task: a confirm of thousands of files is hundreds of messages, not thousands


def document_scans_enqueue(document_ids: Sequence[int]) -> None:
    """Queue the scans of these newly accepted documents (acceptance calls this once its transaction commits)."""
    ids = list(document_ids)
    for start in range(0, len(ids), SCAN_BATCH):
        document_scans.delay(ids[start : start + SCAN_BATCH])


@shared_task(bind=True, max_retries=8)
def document_scans(self: Task, document_ids: list[int]) -> None:
    """Scan accepted documents; those S3 or clamd could not serve are retried with back-off (10 s, 20 s, ... ~20
    min), then left to ``document_scans_resume``."""
    postponed = document_scans_run(document_ids)
    if postponed:
        raise self.retry(args=[postponed], countdown=10 * 2**self.request.retries)


@shared_task(ignore_result=True)
def document_scans_resume() -> int:
    """Queue again the scans still waiting after DOCUMENT_SCAN_RESUME_SECONDS (an enqueue lost to a broker outage,
    retries exhausted); celery beat runs it. The number queued."""
    accepted_before = timezone.now() - timedelta(seconds=settings.DOCUMENT_SCAN_RESUME_SECONDS)
    waiting = document_scans_pending(limit=10_000, accepted_before=accepted_before)
    document_scans_enqueue(waiting)
    return len(waiting)


@shared_task
def document_thumbnail_render(document_id: int) -> None:
    """Render and store a document's thumbnail; idempotent (a document that has one is left alone).

    Not retried: a failed render leaves no thumbnail, and the next view of the link enqueues it again.
    """
    document = Document.objects.select_related("workspace").filter(pk=document_id).first()
    if document is not None:
        document_thumbnail_ensure(document=document)


@shared_task(ignore_result=True)
def document_events_poll() -> int:
    """Handle what is on the S3-event queue now (celery beat runs this every DOCUMENT_EVENTS_POLL_SECONDS)."""
    if not settings.DOCUMENT_EVENTS_QUEUE_URL:
        return 0
    return document_events_drain(queue_url=settings.DOCUMENT_EVENTS_QUEUE_URL)


@shared_task(ignore_result=True)
def document_uploads_sweep_run() -> None:
    """The periodic sweep of expired and stray uploads (celery beat, every UPLOAD_SWEEP_MINUTES)."""
    document_uploads_sweep(since=timedelta(hours=24))

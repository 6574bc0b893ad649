"""Background work on documents: thumbnails, the S3-event queue and the upload sweep (``celery -A config worker``)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from documents.events import document_events_drain
from documents.models import Document
from documents.services import document_thumbnail_ensure
from documents.sweep import document_uploads_sweep


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

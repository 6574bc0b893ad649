"""Background work on submissions: e-mail and export jobs (run by ``celery -A config worker``)."""

from celery import Task, shared_task
from django.conf import settings
from django.core.mail import send_mail


@shared_task(autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def email_send(*, subject: str, body: str, to: list[str]) -> None:
    """Send one plain-text e-mail; an unreachable mail server is retried with back-off."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)


@shared_task(bind=True, max_retries=5)
def export_job_run(self: Task, job_id: int) -> None:
    """Run one export job (``export_jobs.export_job_execute``); while S3 is unavailable, retried with back-off
    (30 s doubling), then marked failed. Idempotent: a job already done is left alone."""
    from documents.errors import StorageUnavailable
    from submissions.export_jobs import export_job_execute, export_job_fail  # they enqueue this task

    try:
        export_job_execute(job_id=job_id)
    except StorageUnavailable as exc:
        if self.request.retries >= self.max_retries:
            export_job_fail(job_id=job_id, reason=exc.message)
            return
        raise self.retry(countdown=30 * 2**self.request.retries) from exc


@shared_task(ignore_result=True)
def export_files_sweep_run() -> int:
    """Delete the files of export jobs past their expiry (celery beat, every EXPIRED_FILES_SWEEP_MINUTES)."""
    from submissions.export_jobs import export_files_expire

    return export_files_expire()

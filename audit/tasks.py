"""The audit log's periodic work (``celery -A config beat`` runs it; see ``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task
from django.conf import settings

from audit.services import audit_prune


@shared_task(ignore_result=True)
def audit_prune_run() -> int:
    """Retention, daily: delete the rows older than ``AUDIT_RETENTION_DAYS``; without a retention, nothing.

    Idempotent (a second run the same day deletes what aged since, and records that it ran)."""
    if not settings.AUDIT_RETENTION_DAYS:
        return 0
    return audit_prune()

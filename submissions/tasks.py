"""Background work on submissions: e-mail (run by ``celery -A config worker``)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail


@shared_task(autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def email_send(*, subject: str, body: str, to: list[str]) -> None:
    """Send one plain-text e-mail; an unreachable mail server is retried with back-off."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)

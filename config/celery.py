"""The Celery app: background work (thumbnails, e-mail, S3 events, periodic jobs) runs in worker processes.

Settings come from Django's, prefixed ``CELERY_`` (``CELERY_BROKER_URL`` names the broker: Redis or SQS).
Start a worker with ``celery -A config worker`` and the periodic jobs with ``celery -A config beat``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("intake")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from documents.embedded_s3 import embedded_s3
from documents.events import event_queue_ensure
from documents.scanning import document_scan_worker


class Command(BaseCommand):
    help = (
        "Serve the whole product on embedded defaults: the S3 emulator on 127.0.0.1, one Celery worker "
        "(with beat, as a separate process) and the web server. The broker (Redis) is started by .ci/ensure-redis."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        storage = embedded_s3()
        storage.start()
        # A plain `kill` ends the server through the `finally` below, so the last uploads reach the disk.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(self.style.SUCCESS(f"Embedded S3 listening on {settings.AWS_S3_ENDPOINT_URL}"))
        # S3 ObjectCreated events go to an SQS queue of the emulator; the worker's beat drains it every few seconds.
        queue_url = settings.DOCUMENT_EVENTS_QUEUE_URL or event_queue_ensure()
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--beat", "--concurrency", "2", "-l", "INFO"]
            + ["--schedule", str(settings.DATA_DIR / "celerybeat-schedule")],
            env={**os.environ, "DOCUMENT_EVENTS_QUEUE_URL": queue_url},
        )
        self.stdout.write(self.style.SUCCESS(f"Celery worker (pid {worker.pid}) on {settings.CELERY_BROKER_URL}"))
        # Accepted files are checked in depth (and by clamd when CLAMAV_URL is set) before they are served.
        scans = document_scan_worker()
        scans.start()
        try:
            call_command("runserver", options["addrport"], use_reloader=False, use_threading=True)
        finally:
            scans.stop()
            # Ctrl-C reaches the worker too (same process group); a `kill` of this process ends it here.
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
            storage.stop()

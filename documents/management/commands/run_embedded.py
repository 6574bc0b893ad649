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


class Command(BaseCommand):
    help = (
        "Serve the whole product on embedded defaults: the S3 emulator on 127.0.0.1, one Celery worker "
        "and beat (separate processes) and the web server. The broker (Redis) is started by .ci/ensure-redis."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        storage = embedded_s3()
        storage.start()
        # A plain `kill` ends the server through the `finally` below, so the last uploads reach the disk.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(self.style.SUCCESS(f"Embedded S3 listening on {settings.AWS_S3_ENDPOINT_URL}"))
        # The worker scans accepted files, renders thumbnails and sends e-mail; beat has it drain the S3-event queue
        # of the emulator (S3 ObjectCreated events) every few seconds and run the upload sweep.
        env = {**os.environ, "DOCUMENT_EVENTS_QUEUE_URL": settings.DOCUMENT_EVENTS_QUEUE_URL or event_queue_ensure()}
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        processes = [
            subprocess.Popen([*celery, "worker", "--concurrency", "2", "-l", "INFO"], env=env),
            subprocess.Popen(
                [*celery, "beat", "-l", "INFO", "--schedule", str(settings.DATA_DIR / "celerybeat-schedule")], env=env
            ),
        ]
        pids = ", ".join(str(process.pid) for process in processes)
        self.stdout.write(self.style.SUCCESS(f"Celery worker and beat (pids {pids}) on {settings.CELERY_BROKER_URL}"))
        try:
            call_command("runserver", options["addrport"], use_reloader=False, use_threading=True)
        finally:
            # Ctrl-C reaches them too (same process group); a `kill` of this process ends them here.
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
            storage.stop()

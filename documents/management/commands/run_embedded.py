import signal
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from documents.embedded_s3 import embedded_s3
from documents.events import DocumentEventWorker, event_queue_ensure
from documents.scanning import document_scan_worker


class Command(BaseCommand):
    help = "Serve the whole product on embedded defaults: the S3 emulator on 127.0.0.1 plus the web server."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        storage = embedded_s3()
        storage.start()
        # A plain `kill` ends the server through the `finally` below, so the last uploads reach the disk.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(self.style.SUCCESS(f"Embedded S3 listening on {settings.AWS_S3_ENDPOINT_URL}"))
        # S3 ObjectCreated events go to an SQS queue of the emulator; a worker thread verifies each upload.
        events = DocumentEventWorker(settings.DOCUMENT_EVENTS_QUEUE_URL or event_queue_ensure())
        events.start()
        # Accepted files are checked in depth (and by clamd when CLAMAV_URL is set) before they are served.
        scans = document_scan_worker()
        scans.start()
        try:
            call_command("runserver", options["addrport"], use_reloader=False, use_threading=True)
        finally:
            scans.stop()
            events.stop()
            storage.stop()

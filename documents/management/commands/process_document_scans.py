import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from documents.scanning import document_scans_run


class Command(BaseCommand):
    help = (
        "Check accepted documents in depth (they open as their type; clamd at CLAMAV_URL finds no malware) and "
        "serve or quarantine each. Runs until stopped; --once scans what is waiting now and exits."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Scan the documents waiting now and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self.stdout.write(f"Settled {document_scans_run()} document(s).")
            return
        self.stdout.write("Scanning accepted documents" + ("" if settings.CLAMAV_URL else " (no clamd: not scanned)"))
        try:
            while True:
                if not document_scans_run():
                    time.sleep(settings.DOCUMENT_SCAN_POLL_SECONDS)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from documents.scanning import document_scans_pending, document_scans_run


class Command(BaseCommand):
    help = (
        "Check the accepted documents waiting now, in this process (they open as their type; clamd at CLAMAV_URL "
        "finds no malware), and serve or quarantine each. The task engine does this on acceptance; this is for a "
        "backlog or a machine without a worker."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CLAMAV_URL:
            self.stdout.write("No clamd (CLAMAV_URL): files that open as their type are NOT_SCANNED.")
        waiting = document_scans_pending(limit=100_000)
        postponed = document_scans_run(waiting)
        self.stdout.write(f"Settled {len(waiting) - len(postponed)} document(s), postponed {len(postponed)}.")

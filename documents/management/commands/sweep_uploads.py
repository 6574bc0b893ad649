from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from documents.sweep import document_uploads_sweep


class Command(BaseCommand):
    help = (
        "Settle uploads past their expiry (accept, reject or remove them) and delete whatever a still-valid "
        "presign put on the upload key of an accepted or rejected document. Safe to run at any interval."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--since-hours", type=float, default=24.0, help="Clear upload keys of presigns expired this recently."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = document_uploads_sweep(since=timedelta(hours=options["since_hours"]))
        self.stdout.write(
            f"Verified {result.verified} expired upload(s), cleared {result.discarded} upload key(s), "
            f"removed {result.removed_documents} unused document(s)."
        )

from typing import Any

from django.core.management.base import BaseCommand

from evidence.sweep import evidence_files_expire
from submissions.export_jobs import export_files_expire


class Command(BaseCommand):
    help = (
        "Delete the S3 files of export jobs past their expiry (EXPORT_FILE_TTL_HOURS) and of evidence packs past "
        "EVIDENCE_PACK_FILE_TTL_DAYS, and mark them expired (what celery beat runs every "
        "EXPIRED_FILES_SWEEP_MINUTES). Safe to run at any time, and again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        exports = export_files_expire()
        packs = evidence_files_expire()
        self.stdout.write(f"Expired {exports} export job file(s) and {packs} evidence pack(s).")

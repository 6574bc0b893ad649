from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.errors import RetentionNotSet
from audit.services import audit_prune


class Command(BaseCommand):
    help = "Delete audit rows older than AUDIT_RETENTION_DAYS (or --days); the pruning itself is recorded."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None, help="Keep this many days instead of the setting.")

    def handle(self, *args: Any, days: int | None = None, **options: Any) -> None:
        try:
            deleted = audit_prune(retention_days=days)
        except RetentionNotSet as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Deleted {deleted} audit row(s).")

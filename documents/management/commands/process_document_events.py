from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.events import document_events_drain, document_events_receive


class Command(BaseCommand):
    help = (
        "Consume S3 ObjectCreated notifications from the SQS queue and verify each uploaded document "
        "(size, content type, magic bytes). Runs until stopped; --once handles what is queued now and exits."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--queue-url", default=None, help="Defaults to DOCUMENT_EVENTS_QUEUE_URL.")
        parser.add_argument("--once", action="store_true", help="Drain the queue once and exit.")
        parser.add_argument("--wait-time", type=int, default=20, help="Long-poll seconds per receive (0-20).")

    def handle(self, *args: Any, **options: Any) -> None:
        queue_url = options["queue_url"] or settings.DOCUMENT_EVENTS_QUEUE_URL
        if not queue_url:
            raise CommandError("No queue: pass --queue-url or set DOCUMENT_EVENTS_QUEUE_URL.")
        if options["once"]:
            handled = document_events_drain(queue_url=queue_url)
            self.stdout.write(f"Handled {handled} message(s).")
            return
        self.stdout.write(f"Waiting for document events on {queue_url}")
        try:
            while True:
                document_events_receive(queue_url=queue_url, wait_time_seconds=options["wait_time"])
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

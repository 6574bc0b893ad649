"""Webhook deliveries on the task engine: one task per delivery attempt, and beat's sweep of the due ones."""

from celery import shared_task

from webhooks.services import webhook_deliveries_sweep, webhook_delivery_attempt


@shared_task
def webhook_deliver(delivery_id: int) -> None:
    """Attempt one delivery. Idempotent: a delivered (or failed, or unknown) delivery is left as it is; a failure
    is scheduled for a retry (``next_attempt_at``), which the sweep queues when it is due."""
    webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task
def webhook_deliveries_sweep_run() -> int:
    return webhook_deliveries_sweep()

"""Deliveries through the real broker and worker processes (PostgreSQL: the workers open the test database)."""

from __future__ import annotations

import signal
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from submissions.models import FormVersion
from tests.celery_worker import Worker, celery_worker_start, celery_worker_stop, wait_for
from tests.webhooks.receiver import Receiver, verify
from webhooks.constants import DeliveryStatus, EventType
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_create, webhook_event_emit
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.postgres


def test_a_submission_is_delivered_by_the_worker_after_commit(
    celery_worker: Worker,
    workspace: Workspace,
    api_client: APIClient,
    form_version: FormVersion,
    receiver: Receiver,
) -> None:
    _, secret = webhook_endpoint_create(
        workspace=workspace, url=receiver.url, event_types=[EventType.SUBMISSION_CREATED], acting_user=None
    )
    body = {"formId": form_version.form.public_id, "data": {"full_name": "Worker"}}
    created = api_client.post(reverse("submission-list"), body, format="json")
    assert created.status_code == 201
    assert wait_for(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).exists(), timeout=60)
    (request,) = receiver.requests
    assert verify(secret, request.headers, request.body)
    assert created.json()["id"] in request.body.decode()


def test_no_event_is_lost_when_a_worker_is_killed_mid_way(
    settings: Any,
    transactional_db: None,
    tasks_to_broker: None,
    workspace: Workspace,
    receiver: Receiver,
    s3_endpoint: str,
    tmp_path: Path,
) -> None:
    """Two workers (one with beat, sweeping every second); one is killed with SIGKILL while deliveries are under
    way. Every event arrives; an event may arrive twice (at least once), and the receiver counts those."""
    settings.WEBHOOK_LEASE_SECONDS = 3
    lease = {"WEBHOOK_LEASE_SECONDS": "3", "WEBHOOK_SWEEP_SECONDS": "1"}
    doomed = celery_worker_start(tmp_path, s3_endpoint, extra_env=lease, name="doomed", beat=False)
    survivor = celery_worker_start(tmp_path, s3_endpoint, extra_env=lease, name="survivor")
    try:
        webhook_endpoint_create(
            workspace=workspace, url=receiver.url, event_types=[EventType.WORKFLOW_COMPLETED], acting_user=None
        )
        receiver.answers = [(200, "ok", 0.05)] * 200  # slow enough that the kill lands mid-way
        for n in range(60):
            with transaction.atomic():  # each its own change; queued as it commits
                webhook_event_emit(workspace_id=workspace.pk, event_type=EventType.WORKFLOW_COMPLETED, payload={"n": n})
        assert wait_for(lambda: len(receiver.ids()) >= 10, timeout=60)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        assert wait_for(lambda: len(set(receiver.ids())) == 60, timeout=90), len(set(receiver.ids()))
        assert wait_for(
            lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 60, timeout=30
        )
        duplicates = len(receiver.ids()) - 60
        assert duplicates >= 0
    finally:
        if doomed.poll() is None:
            doomed.kill()
        celery_worker_stop(survivor)


def test_an_endpoint_failing_for_a_day_is_disabled_by_the_worker_and_its_owners_are_told(
    celery_worker: Worker, workspace: Workspace, receiver: Receiver, member_of: Callable[..., Any]
) -> None:
    """The worker's own attempt finds the streak a day old: it disables the endpoint, records it, and the e-mail
    task (on the same worker) tells the workspace's OWNERs and the endpoint's creator."""
    member_of(workspace, Role.OWNER, email="olga.owner@example.com")
    creator = member_of(workspace, Role.ADMIN, email="ada.admin@example.com")
    member_of(workspace, Role.ADMIN, email="not.told@example.com")
    endpoint, _ = webhook_endpoint_create(
        workspace=workspace, url=receiver.url, event_types=[EventType.WORKFLOW_COMPLETED], acting_user=creator
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(hours=25))
    receiver.answers = [(503, "down", 0.0)] * 5
    with transaction.atomic():
        webhook_event_emit(workspace_id=workspace.pk, event_type=EventType.WORKFLOW_COMPLETED, payload={"n": 1})

    def disabled() -> bool:
        return not WebhookEndpoint.objects.get(pk=endpoint.pk).is_active

    log = (celery_worker.mail_dir / "../celery.log").resolve()
    assert wait_for(disabled, timeout=60), log.read_text()[-3000:]
    assert len(receiver.requests) == 1  # one real attempt, answered 503
    endpoint.refresh_from_db()
    assert "failed for 25 hours" in endpoint.disabled_reason
    row = AuditEvent.objects.get(action="webhook_endpoint_disabled", target_id=endpoint.public_id)
    assert row.details["url"] == receiver.url

    def told() -> list[str]:
        return [
            text
            for path in celery_worker.mail_dir.glob("*.log")
            if endpoint.public_id in (text := path.read_text(errors="replace"))
        ]

    assert wait_for(told, timeout=60), log.read_text()[-3000:]
    (message,) = told()
    assert "Subject: A webhook endpoint was disabled" in message
    assert "To: ada.admin@example.com, olga.owner@example.com" in message and "not.told" not in message
    assert receiver.url in message

    # Disabled: a new event records no delivery for it.
    with transaction.atomic():
        webhook_event_emit(workspace_id=workspace.pk, event_type=EventType.WORKFLOW_COMPLETED, payload={"n": 2})
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1

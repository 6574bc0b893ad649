"""Deliveries through the real broker and worker processes (PostgreSQL: the workers open the test database)."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from submissions.models import FormVersion
from tests.celery_worker import Worker, celery_worker_start, celery_worker_stop, wait_for
from tests.webhooks.receiver import Receiver, verify
from webhooks.constants import DeliveryStatus, EventType
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create, webhook_event_emit
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

"""Races on PostgreSQL: concurrent batches and decisions on one workflow never both win and never 500."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.urls import reverse
from rest_framework.test import APIClient

from tests.workflows.factories import (
    RequiredDocumentFactory,
    SubjectRecordFactory,
    WorkflowFactory,
    uploaded_subject_document,
)
from workflows.models import Fulfillment, RequiredDocument
from workspaces.models import Workspace

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres() -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://... (these tests must not skip)"


def race(clients: list[APIClient], name: str, bodies: list[dict[str, Any]]) -> list[Any]:
    """Send one request per client at the same moment; the answers in the same order."""
    barrier = threading.Barrier(len(clients))
    results: list[Any] = [None] * len(clients)

    def send(index: int) -> None:
        try:
            barrier.wait()
            results[index] = clients[index].post(reverse(name), bodies[index], format="json")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_batches_link_a_pair_once(workspace: Workspace, api_client_for: Callable[..., APIClient]) -> None:
    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    requirement = RequiredDocumentFactory.create(workflow=workflow)
    link = uploaded_subject_document(workflow.subject_record)
    body = {
        "workflow_id": workflow.public_id,
        "fulfillments": [{"required_document_id": requirement.public_id, "document_id": link.public_id}],
    }

    responses = race([api_client_for(workspace) for _ in range(4)], "fulfillment-batch-add", [body] * 4)

    assert sorted(response.status_code for response in responses) == [201, 409, 409, 409]
    assert {response.json()["code"] for response in responses if response.status_code == 409} == {
        "DUPLICATE_FULFILLMENT"
    }
    assert Fulfillment.objects.count() == 1
    assert RequiredDocument.objects.get(pk=requirement.pk).status == "PENDING_REVIEW"


def test_concurrent_decisions_record_exactly_one(
    workspace: Workspace, api_client_for: Callable[..., APIClient]
) -> None:
    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    requirement = RequiredDocumentFactory.create(workflow=workflow)
    fulfillment = Fulfillment.objects.create(
        required_document=requirement, subject_document=uploaded_subject_document(workflow.subject_record)
    )
    accept = {"fulfillment_id": fulfillment.public_id, "decision_status": "ACCEPTED", "reason": ""}
    reject = {"fulfillment_id": fulfillment.public_id, "decision_status": "REJECTED", "reason": "Blurred"}

    responses = race([api_client_for(workspace) for _ in range(2)], "fulfillment-decide", [accept, reject])

    assert sorted(response.status_code for response in responses) == [200, 409]
    winner = next(response for response in responses if response.status_code == 200).json()["data"]
    fulfillment.refresh_from_db()
    assert fulfillment.decision_status == winner["fulfillment"]["decision_status"]
    expected = "ACCEPTED" if fulfillment.decision_status == "ACCEPTED" else "REJECTED"
    assert RequiredDocument.objects.get(pk=requirement.pk).status == expected

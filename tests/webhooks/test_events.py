"""Every event type is recorded by the service where it happens, in its transaction, and delivered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.uploads import pdf_bytes, png_bytes, post_to_s3
from tests.webhooks.receiver import Receiver
from tests.workflows.factories import RequiredDocumentFactory, uploaded_subject_document
from tests.workflows.public_action_support import SEED_ROOT_BODY, confirm_url, make_action, submit_url, upload_all
from webhooks.constants import EventType
from webhooks.services import webhook_endpoint_create
from workflows.models import Fulfillment
from workflows.services.revisions import revision_request_create
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(workspace: Workspace, receiver: Receiver) -> Receiver:
    webhook_endpoint_create(workspace=workspace, url=receiver.url, event_types=EventType.values, acting_user=None)
    return receiver


def _events(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(request.body) for request in receiver.requests]


def _upload(api_client: APIClient, content: bytes, committed: Any) -> str:
    query = {"filename": "report.pdf", "contenttype": "application/pdf", "source": "field_value"}
    presigned = api_client.get(reverse("s3-presigned-post"), query).json()
    assert post_to_s3(presigned["url"], presigned["fields"], content).status_code == 204
    with committed(execute=True):
        api_client.post(reverse("s3-success"), {"uuid": presigned["s3object_id"]}, format="json")
    return str(presigned["s3object_id"])


def test_document_accepted_and_rejected(
    api_client: APIClient, everything: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    good = _upload(api_client, pdf_bytes(), django_capture_on_commit_callbacks)
    bad = _upload(api_client, png_bytes((8, 8)), django_capture_on_commit_callbacks)
    accepted, rejected = _events(everything)
    assert accepted["type"] == "document.accepted" and accepted["data"]["id"] == good
    assert accepted["data"]["status"] == "UPLOADED" and len(accepted["data"]["sha256"]) == 64
    assert rejected["type"] == "document.rejected" and rejected["data"]["id"] == bad
    assert rejected["data"]["problem"] == "content_check_failed" and rejected["data"]["reason"]


def test_public_action_completed_with_its_files(
    workspace: Workspace, everything: Receiver, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    action, token = make_action(workspace)
    client = APIClient()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(submit_url(token), SEED_ROOT_BODY, format="json")
    assert submitted.status_code == 200, submitted.json()
    upload_all(submitted.json()["fileUploads"], tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(confirm_url(token)).status_code == 200
    types = [event["type"] for event in _events(everything)]
    assert types.count("document.accepted") == 2 and types.count("public_action.completed") == 1
    (completed,) = [event for event in _events(everything) if event["type"] == "public_action.completed"]
    assert completed["data"]["id"] == action.public_id and completed["data"]["status"] == "COMPLETED"
    assert completed["data"]["workflowId"] == action.workflow.public_id and completed["data"]["submissionId"]


def test_fulfillment_decided_revision_requested_and_workflow_completed(
    workspace: Workspace, api_client: APIClient, everything: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    action, _ = make_action(workspace)
    workflow = action.workflow
    required = RequiredDocumentFactory.create(workflow=workflow)
    fulfillment = Fulfillment.objects.create(
        required_document=required, subject_document=uploaded_subject_document(workflow.subject_record)
    )
    with django_capture_on_commit_callbacks(execute=True):
        revision, _ = revision_request_create(
            workspace=workspace,
            workflow_id=workflow.public_id,
            required_document_ids=[required.public_id],
            message="The scan is blurred.",
            acting_user=None,
        )
    rejected, requested = _events(everything)
    assert rejected["type"] == "fulfillment.decided" and rejected["data"]["decisionStatus"] == "REJECTED"
    assert rejected["data"]["reason"] == "The scan is blurred." and rejected["data"]["id"] == fulfillment.public_id
    assert requested["type"] == "revision.requested" and requested["data"]["id"] == revision.public_id
    assert requested["data"]["requiredDocumentIds"] == [required.public_id]
    assert requested["data"]["workflowStatus"] == "WAITING_FOR_CLIENT"

    second = Fulfillment.objects.create(
        required_document=required, subject_document=uploaded_subject_document(workflow.subject_record, "new.pdf")
    )
    with django_capture_on_commit_callbacks(execute=True):
        body = {"fulfillment_id": second.public_id, "decision_status": "ACCEPTED"}
        assert api_client.post(reverse("fulfillment-decide"), body, format="json").status_code == 200
        assert (
            api_client.post(
                reverse("workflow-complete"), {"workflow_id": workflow.public_id}, format="json"
            ).status_code
            == 200
        )
    accepted, completed = _events(everything)[2:]
    assert accepted["data"]["decisionStatus"] == "ACCEPTED" and accepted["data"]["decidedBy"] == "API key test key"
    assert accepted["data"]["requiredDocumentStatus"] == "ACCEPTED"
    assert completed["type"] == "workflow.completed" and completed["data"]["status"] == "COMPLETED"
    assert completed["data"]["id"] == workflow.public_id

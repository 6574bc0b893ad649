"""The revision-request API (/workflow.revisionRequest.*): what the workflow page's "Request a revision" does, for
integrations; refusals per role and bad input with the standard error body, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from audit.constants import AuditAction
from audit.models import AuditEvent
from tests.workflows.factories import RequiredDocumentFactory, SubjectRecordFactory, WorkflowFactory
from tests.workflows.test_workflow_review_admin import uploaded_fulfillment
from workflows.constants import DecisionStatus, RequiredDocumentStatus, WorkflowStatus
from workflows.models import Fulfillment, RevisionRequest
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

MESSAGE = "The passport has expired; please send a valid one."


@pytest.fixture
def case(workspace: Workspace) -> Any:
    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    requirement = RequiredDocumentFactory.create(workflow=workflow, name="Passport", requirement_text="Valid passport")
    return workflow, requirement, uploaded_fulfillment(workflow, requirement)


def create(client: APIClient, body: dict[str, Any]) -> Any:
    return client.post(reverse("revision-request-create"), body, format="json")


def body_for(workflow: Any, requirement: Any) -> dict[str, Any]:
    return {"workflow_id": workflow.public_id, "required_document_ids": [requirement.public_id], "message": MESSAGE}


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False and body["code"] == code and body["error"] and isinstance(body["details"], dict)


def test_a_member_asks_for_a_revision_and_the_link_opens_the_clients_page(
    case: Any, api_client_for: Callable[..., APIClient]
) -> None:
    workflow, requirement, old = case

    response = create(
        api_client_for(workflow.workspace, role=Role.MEMBER), {**body_for(workflow, requirement), "expires_in_days": 3}
    )

    assert response.status_code == 200, response.content
    answer = response.json()["revision_request"]
    revision = RevisionRequest.objects.get()
    assert answer["revision_request_id"] == revision.public_id and revision.public_id.startswith("rv_")
    assert (answer["workflow_id"], answer["required_document_ids"]) == (workflow.public_id, [requirement.public_id])
    assert (answer["message"], answer["state"], answer["completed_at"]) == (MESSAGE, "Open", None)
    assert answer["url"] == f"http://testserver/actions/{answer['token']}"
    assert answer["token"] not in revision.token_hash  # stored hashed
    old.refresh_from_db()
    workflow.refresh_from_db()
    assert (old.decision_status, old.decision_reason) == (DecisionStatus.REJECTED, MESSAGE)
    assert workflow.status == WorkflowStatus.WAITING_FOR_CLIENT
    event = AuditEvent.objects.get(action=AuditAction.REVISION_REQUESTED)
    assert (event.target_id, event.actor_api_key) == (revision.public_id, "test key")
    page = Client().get(f"/actions/{answer['token']}").content.decode()
    assert MESSAGE in page and f'data-required-document="{requirement.public_id}"' in page


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"message": "   "}, 400, "VALIDATION_ERROR"),
        ({"message": "x" * 1001}, 400, "VALIDATION_ERROR"),
        ({"required_document_ids": []}, 400, "VALIDATION_ERROR"),
        ({"required_document_ids": "rd_x"}, 400, "VALIDATION_ERROR"),
        ({"expires_in_days": 0}, 400, "VALIDATION_ERROR"),
        ({"required_document_ids": ["rd_unknown"]}, 404, "REQUIRED_DOCUMENT_NOT_FOUND"),
        ({"workflow_id": "w_unknown"}, 404, "WORKFLOW_NOT_FOUND"),
    ],
)
def test_bad_input_is_refused_with_the_standard_error_and_nothing_is_written(
    case: Any, api_client: APIClient, change: dict[str, Any], status: int, code: str
) -> None:
    workflow, requirement, old = case

    assert_error(create(api_client, {**body_for(workflow, requirement), **change}), status, code)

    old.refresh_from_db()
    assert old.decision_status == DecisionStatus.PENDING and not RevisionRequest.objects.exists()


def test_an_accepted_requirement_or_a_closed_workflow_is_refused_with_409(case: Any, api_client: APIClient) -> None:
    workflow, requirement, old = case
    Fulfillment.objects.filter(pk=old.pk).update(decision_status=DecisionStatus.ACCEPTED)
    requirement.status = RequiredDocumentStatus.ACCEPTED
    requirement.save(update_fields=["status"])
    assert_error(create(api_client, body_for(workflow, requirement)), 409, "PUBLIC_ACTION_STATE")

    workflow.status = WorkflowStatus.COMPLETED
    workflow.save(update_fields=["status"])
    assert_error(create(api_client, body_for(workflow, requirement)), 409, "WORKFLOW_CLOSED")
    assert not RevisionRequest.objects.exists()


def test_a_viewer_cannot_ask_or_revoke_and_another_workspace_does_not_find_it(
    case: Any, other_workspace: Workspace, api_client: APIClient, api_client_for: Callable[..., APIClient]
) -> None:
    workflow, requirement, old = case
    viewer = api_client_for(workflow.workspace, role=Role.VIEWER)
    stranger = api_client_for(other_workspace)

    assert_error(create(viewer, body_for(workflow, requirement)), 403, "PERMISSION_DENIED")
    assert_error(create(stranger, body_for(workflow, requirement)), 404, "WORKFLOW_NOT_FOUND")
    assert not RevisionRequest.objects.exists()

    revision_id = create(api_client, body_for(workflow, requirement)).json()["revision_request"]["revision_request_id"]
    revoke = reverse("revision-request-revoke")
    assert_error(viewer.post(revoke, {"revision_request_id": revision_id}, format="json"), 403, "PERMISSION_DENIED")
    stranger_revoke = stranger.post(revoke, {"revision_request_id": revision_id}, format="json")
    assert_error(stranger_revoke, 404, "REVISION_REQUEST_NOT_FOUND")
    assert RevisionRequest.objects.get().state == "Open"


def test_revoke_ends_the_link_and_the_list_tells_the_state_without_the_link(
    case: Any, api_client: APIClient, api_client_for: Callable[..., APIClient], django_assert_max_num_queries: Any
) -> None:
    workflow, requirement, _ = case
    created = create(api_client, body_for(workflow, requirement)).json()["revision_request"]

    revoked = api_client.post(
        reverse("revision-request-revoke"), {"revision_request_id": created["revision_request_id"]}, format="json"
    )

    assert revoked.status_code == 200
    assert (
        revoked.json()["revision_request"]["state"] == "Revoked" and "token" not in revoked.json()["revision_request"]
    )
    assert "invalid or has expired" in Client().get(f"/actions/{created['token']}").content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.REVISION_REVOKED).count() == 1
    viewer = api_client_for(workflow.workspace, role=Role.VIEWER)
    with django_assert_max_num_queries(8):
        listed = viewer.post(reverse("revision-request-list"), {"workflow_id": workflow.public_id}, format="json")
    (row,) = listed.json()["revision_requests"]
    assert (row["revision_request_id"], row["state"], row["required_document_ids"]) == (
        created["revision_request_id"],
        "Revoked",
        [requirement.public_id],
    )
    assert "token" not in row and "url" not in row
    missing = api_client.post(reverse("revision-request-revoke"), {"revision_request_id": "rv_nope"}, format="json")
    assert_error(missing, 404, "REVISION_REQUEST_NOT_FOUND")

"""Evidence packs through the API: a workflow's or a submission's pack, its content (JSON and PDF text), its
links, and who may have it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from celery.exceptions import Retry
from django.urls import reverse
from rest_framework.test import APIClient

from audit.constants import AuditAction
from audit.models import AuditEvent
from evidence.constants import PackState
from evidence.models import EvidencePack
from submissions.constants import VisibilityMode
from submissions.services import visibility_set
from tests.evidence.support import ReviewedWorkflow, pdf_pages_to_png, pdf_text, reviewed_workflow
from tests.storage_faults import refused_endpoint, s3_at
from tests.workflows.factories import WorkflowFactory
from workspaces.constants import Role
from workspaces.models import Workspace


@pytest.fixture
def reviewer(workspace: Workspace, member_of: Callable[..., Any]) -> Any:
    return member_of(workspace, Role.MEMBER, username="rita", first_name="Rita", last_name="Reviewer", is_staff=True)


@pytest.fixture
def reviewed(workspace: Workspace, owner: Any, reviewer: Any) -> ReviewedWorkflow:
    return reviewed_workflow(workspace, owner=owner, reviewer=reviewer)


@pytest.fixture
def reviewer_client(workspace: Workspace, reviewer: Any, api_client_for: Callable[..., APIClient]) -> APIClient:
    return api_client_for(workspace, user=reviewer)


def request_pack(client: APIClient, url: str, capture: Any) -> dict[str, Any]:
    with capture(execute=True):  # the generation is queued on commit; the test worker runs it eagerly
        response = client.post(url)
    assert response.status_code == 202, response.content
    return response.json()


def files_of(client: APIClient, pack_id: str) -> dict[str, bytes]:
    response = client.get(reverse("evidence-pack-links", args=[pack_id]))
    assert response.status_code == 200, response.content
    return {link["format"]: requests.get(link["url"], timeout=10).content for link in response.json()["links"]}


def test_a_workflow_pack_holds_the_data_parties_documents_decisions_and_timeline(
    reviewer_client: APIClient, reviewed: ReviewedWorkflow, django_capture_on_commit_callbacks: Any
) -> None:
    workflow = reviewed.workflow
    queued = request_pack(
        reviewer_client,
        reverse("workflow-evidence-pack-create", args=[workflow.public_id]),
        django_capture_on_commit_callbacks,
    )
    assert queued["subjectType"] == "workflow" and queued["subjectId"] == workflow.public_id
    polled = reviewer_client.get(reverse("evidence-pack-detail", args=[queued["id"]])).json()
    assert polled["state"] == "READY" and polled["pages"] >= 2

    files = files_of(reviewer_client, queued["id"])
    pack = json.loads(files["json"])
    assert pack["format"] == "evidence-pack/1"
    assert pack["workflow"]["client"]["name"] == "Northwind Trading Ltd"
    (submission,) = pack["submissions"]
    answers = {entry["label"]: entry["text"] for entry in submission["sections"][0]["entries"]}
    assert answers["Company name"] == "Northwind Trading Ltd"
    assert answers["Country of incorporation"] == "United Kingdom (GB)"
    parties = {party["name"]: party for party in pack["parties"]["parties"]}
    assert parties["Anna Schmidt"]["effectivePercent"] == "30.00" and parties["Anna Schmidt"]["ubo"] is True
    assert parties["Ben Okafor"]["ubo"] is False
    documents = {document["name"]: document for document in pack["documents"]}
    certificate = documents["certificate-of-incorporation.pdf"]
    assert (
        certificate["sha256"] == reviewed.accepted.subject_document.document.sha256 and len(certificate["sha256"]) == 64
    )
    assert certificate["verification"]["status"] == "UPLOADED"
    assert documents["ben-okafor-passport.pdf"]["party"] == "Ben Okafor"
    decisions = {(d["type"], d["decision"]): d for d in pack["decisions"]}
    accepted = decisions[("fulfillment", "ACCEPTED")]
    assert accepted["decidedBy"] == "Rita Reviewer"
    assert (
        accepted["snapshot"]["submissionId"] == reviewed.submission.public_id and accepted["snapshot"]["version"] == 1
    )
    rejected = decisions[("fulfillment", "REJECTED")]
    assert rejected["reason"] == reviewed.revision_reason
    revision = decisions[("revision_request", "REVISION_REQUESTED")]
    assert revision["requirements"] == ["Proof of Address"] and revision["decidedBy"] == "Rita Reviewer"
    events = [event["event"] for event in pack["timeline"]]
    assert "Workflow created" in events and "Revision requested" in events and "Document accepted" in events

    assert pdf_pages_to_png(files["pdf"], "evidence-pack-workflow")
    text = pdf_text(files["pdf"])
    assert "Northwind Trading Ltd" in text and "Anna Schmidt" in text
    assert certificate["sha256"] in text.replace("\r", "").replace("\n", "")
    assert "Rita Reviewer" in text and "older than three months" in text


def test_a_submission_pack_shows_its_answers_files_timeline_and_the_workflow_decisions(
    reviewer_client: APIClient, reviewed: ReviewedWorkflow, django_capture_on_commit_callbacks: Any
) -> None:
    submission = reviewed.submission
    url = reverse("submission-evidence-pack-create", args=[submission.public_id])
    queued = request_pack(reviewer_client, url, django_capture_on_commit_callbacks)
    files = files_of(reviewer_client, queued["id"])
    pack = json.loads(files["json"])
    assert pack["pack"]["subject"] == {"type": "submission", "id": submission.public_id}
    (entry,) = pack["submissions"]
    assert entry["snapshot"]["version"] == 1 and entry["form"]["title"] == "Company onboarding"
    assert pack["workflow"]["id"] == reviewed.workflow.public_id
    assert {d["decision"] for d in pack["decisions"]} >= {"ACCEPTED", "REJECTED", "REVISION_REQUESTED"}
    assert [event["event"] for event in pack["timeline"]] == ["Submission created"]
    pdf_pages_to_png(files["pdf"], "evidence-pack-submission")
    text = pdf_text(files["pdf"])
    assert submission.public_id in text and "Company onboarding" in text and "Northwind Trading Ltd" in text


def test_asking_for_and_downloading_a_pack_are_audited(
    reviewer_client: APIClient, reviewer: Any, reviewed: ReviewedWorkflow, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("workflow-evidence-pack-create", args=[reviewed.workflow.public_id])
    queued = request_pack(reviewer_client, url, django_capture_on_commit_callbacks)
    files_of(reviewer_client, queued["id"])
    files_of(reviewer_client, queued["id"])
    rows = AuditEvent.objects.filter(target_type="evidence_pack", target_id=queued["id"]).order_by("id")
    assert [row.action for row in rows] == [
        AuditAction.EVIDENCE_PACK_REQUESTED,
        AuditAction.EVIDENCE_PACK_DOWNLOADED,
        AuditAction.EVIDENCE_PACK_DOWNLOADED,
    ]
    assert all(row.actor_user_id == reviewer.pk for row in rows)
    assert rows[0].details == {"subjectType": "workflow", "subjectId": reviewed.workflow.public_id}


def test_links_of_a_pack_not_generated_yet_are_a_409(reviewer_client: APIClient, reviewed: ReviewedWorkflow) -> None:
    # Without running the on-commit callbacks, the pack stays QUEUED.
    queued = reviewer_client.post(reverse("workflow-evidence-pack-create", args=[reviewed.workflow.public_id])).json()
    assert queued["state"] == "QUEUED"
    response = reviewer_client.get(reverse("evidence-pack-links", args=[queued["id"]]))
    assert response.status_code == 409
    body = response.json()
    assert (
        body["success"] is False and body["code"] == "EVIDENCE_PACK_NOT_READY" and body["details"]["state"] == "QUEUED"
    )
    assert not AuditEvent.objects.filter(action=AuditAction.EVIDENCE_PACK_DOWNLOADED).exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ADMIN, Role.OWNER])
def test_reviewers_and_managers_may_ask_for_a_pack(
    role: Role, workspace: Workspace, api_client_for: Callable[..., APIClient], member_of: Callable[..., Any], db: None
) -> None:
    workflow = WorkflowFactory.create(workspace=workspace, subject_record__workspace=workspace)
    client = api_client_for(workspace, user=member_of(workspace, role))
    response = client.post(reverse("workflow-evidence-pack-create", args=[workflow.public_id]))
    assert response.status_code == 202


def test_a_viewer_is_refused_and_nothing_is_written(
    workspace: Workspace, api_client_for: Callable[..., APIClient], member_of: Callable[..., Any]
) -> None:
    workflow = WorkflowFactory.create(workspace=workspace, subject_record__workspace=workspace)
    client = api_client_for(workspace, user=member_of(workspace, Role.VIEWER))
    response = client.post(reverse("workflow-evidence-pack-create", args=[workflow.public_id]))
    assert response.status_code == 403 and response.json()["code"] == "INSUFFICIENT_ROLE"
    assert not EvidencePack.objects.exists() and not AuditEvent.objects.filter(target_type="evidence_pack").exists()


def test_another_workspaces_workflow_submission_and_pack_are_404(
    reviewed: ReviewedWorkflow,
    other_workspace: Workspace,
    api_client_for: Callable[..., APIClient],
    member_of: Callable[..., Any],
    reviewer_client: APIClient,
) -> None:
    stranger = api_client_for(other_workspace, user=member_of(other_workspace, Role.OWNER))
    workflow_url = reverse("workflow-evidence-pack-create", args=[reviewed.workflow.public_id])
    assert stranger.post(workflow_url).status_code == 404
    submission_url = reverse("submission-evidence-pack-create", args=[reviewed.submission.public_id])
    assert stranger.post(submission_url).status_code == 404
    pack_id = reviewer_client.post(workflow_url).json()["id"]
    for name in ("evidence-pack-detail", "evidence-pack-links"):
        response = stranger.get(reverse(name, args=[pack_id]))
        assert response.status_code == 404 and response.json()["code"] == "EVIDENCE_PACK_NOT_FOUND"
    assert EvidencePack.objects.count() == 1


def test_a_restricted_submission_pack_is_refused_to_a_member_without_access(
    reviewed: ReviewedWorkflow,
    workspace: Workspace,
    api_client_for: Callable[..., APIClient],
    member_of: Callable[..., Any],
    reviewer_client: APIClient,
    django_capture_on_commit_callbacks: Any,
) -> None:
    submission = reviewed.submission
    pack_id = reviewer_client.post(reverse("submission-evidence-pack-create", args=[submission.public_id])).json()["id"]
    workflow_url = reverse("workflow-evidence-pack-create", args=[reviewed.workflow.public_id])
    visibility_set(submission=submission, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    outsider = api_client_for(workspace, user=member_of(workspace, Role.MEMBER))
    response = outsider.post(reverse("submission-evidence-pack-create", args=[submission.public_id]))
    assert response.status_code == 404 and response.json()["code"] == "SUBMISSION_NOT_FOUND"
    # A pack asked for before the restriction is no longer theirs either.
    assert outsider.get(reverse("evidence-pack-detail", args=[pack_id])).status_code == 404
    # The workflow's pack leaves the restricted submission out, and says so.
    queued = request_pack(outsider, workflow_url, django_capture_on_commit_callbacks)
    pack = json.loads(files_of(outsider, queued["id"])["json"])
    assert pack["submissions"] == [] and pack["submissionsWithheld"] == 1
    assert "Northwind Trading Ltd" not in json.dumps(pack["timeline"])


def test_a_pack_whose_requester_lost_sight_of_the_subject_fails_with_a_reason(
    reviewed: ReviewedWorkflow, reviewer_client: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    submission = reviewed.submission
    with django_capture_on_commit_callbacks() as callbacks:
        queued = reviewer_client.post(reverse("submission-evidence-pack-create", args=[submission.public_id])).json()
    visibility_set(submission=submission, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    for callback in callbacks:  # the worker runs after the restriction
        callback()
    pack = EvidencePack.objects.get(public_id=queued["id"])
    assert pack.state == PackState.FAILED and "No such submission" in pack.error and not pack.pdf_key


@pytest.mark.parametrize("pack_id", ["nope", "ep_" + "x" * 500, "ep_%00"])
def test_unknown_or_malformed_ids_are_a_404_with_the_standard_body(reviewer_client: APIClient, pack_id: str) -> None:
    for name in ("evidence-pack-detail", "evidence-pack-links"):
        response = reviewer_client.get(reverse(name, args=[pack_id]))
        assert response.status_code == 404
        assert set(response.json()) == {"success", "error", "code", "details"}
    response = reviewer_client.post(reverse("workflow-evidence-pack-create", args=["w_" + "9" * 300]))
    assert response.status_code == 404 and response.json()["code"] == "WORKFLOW_NOT_FOUND"
    assert not EvidencePack.objects.exists()


def test_an_s3_outage_puts_the_pack_back_in_the_queue_with_the_reason_and_retries(
    reviewer_client: APIClient, reviewed: ReviewedWorkflow, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("submission-evidence-pack-create", args=[reviewed.submission.public_id])
    with s3_at(refused_endpoint()):  # asking needs no S3; the worker's write is refused
        with django_capture_on_commit_callbacks() as callbacks:
            response = reviewer_client.post(url)
        assert response.status_code == 202
        with pytest.raises(Retry):  # the task asks Celery to run it again later (10 s, 20 s, ...)
            callbacks[0]()
    polled = reviewer_client.get(reverse("evidence-pack-detail", args=[response.json()["id"]])).json()
    assert polled["state"] == "QUEUED" and "could not be reached" in polled["error"]
    assert reviewer_client.get(reverse("evidence-pack-links", args=[polled["id"]])).status_code == 409

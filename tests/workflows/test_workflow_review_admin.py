"""Decisions and revision requests on a workflow's admin page, and the client's re-upload on the revision link."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.uploads import pdf_bytes
from tests.workflows.factories import RequiredDocumentFactory, SubjectRecordFactory, WorkflowFactory
from tests.workflows.public_action_support import make_action
from workflows.constants import DecisionStatus, RequiredDocumentStatus, WorkflowStatus
from workflows.models import Fulfillment, PublicAction, RequiredDocument, RevisionRequest, Workflow
from workflows.services.documents import subject_document_create, subject_document_refresh
from workflows.services.requirements import FulfillmentRequest, fulfillment_batch_add
from workspaces.constants import Role
from workspaces.models import Workspace

PDF = pdf_bytes()  # a real PDF: the content check after acceptance opens it


def uploaded_fulfillment(workflow: Workflow, requirement: RequiredDocument, name: str = "passport.pdf") -> Fulfillment:
    """A fulfillment of ``requirement`` with a real file in S3, uploaded and verified as the document contract does."""
    link, post = subject_document_create(
        workspace=workflow.workspace,
        subject_record_id=workflow.subject_record.public_id,
        file_name=name,
        file_size_in_bytes=len(PDF),
        acting_user=None,
    )
    assert requests.post(post.url, data=post.fields, files={"file": (name, PDF)}, timeout=10).status_code == 204
    subject_document_refresh(link=link)
    (fulfillment,) = fulfillment_batch_add(
        workspace=workflow.workspace,
        workflow_id=workflow.public_id,
        fulfillments=[FulfillmentRequest(requirement.public_id, link.public_id)],
        acting_user=None,
    )
    return fulfillment


@pytest.fixture
def case(workspace: Workspace) -> tuple[Workflow, RequiredDocument, Fulfillment]:
    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    requirement = RequiredDocumentFactory.create(workflow=workflow, name="Passport", requirement_text="Valid passport")
    return workflow, requirement, uploaded_fulfillment(workflow, requirement)


def change_url(workflow: Workflow) -> str:
    return reverse("admin:workflows_workflow_change", args=[workflow.pk])


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_member_accepts_a_fulfillment_on_the_workflow_page(
    client: Client, case: Any, member_of: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    workflow, requirement, fulfillment = case
    user = member_of(workflow.workspace, Role.MEMBER, is_staff=True)
    client.force_login(user)
    with django_assert_max_num_queries(40):
        page = client.get(change_url(workflow)).content.decode()
    assert f'data-fulfillment="{fulfillment.public_id}" data-decision="PENDING"' in page
    assert "passport.pdf" in page and ">Accept</button>" in page

    response = client.post(
        reverse("admin:workflows_workflow_decide", args=[workflow.pk]),
        {"fulfillment_id": fulfillment.public_id, "decision": "ACCEPTED"},
    )

    assert response.status_code == 302
    fulfillment.refresh_from_db()
    assert (fulfillment.decision_status, fulfillment.decided_by) == (DecisionStatus.ACCEPTED, user)
    requirement.refresh_from_db()
    assert requirement.status == RequiredDocumentStatus.ACCEPTED
    assert "Accepted passport.pdf." in messages_of(response)
    # Times read as on the case page: year first, in UTC, never 12/02 (December or February?) with a.m.
    page = client.get(change_url(workflow)).content.decode()
    assert f"by {user}, {fulfillment.decided_at:%Y-%m-%d %H:%M}</div>" in page
    assert "Received (UTC)" in page and f"<td>{fulfillment.created_at:%Y-%m-%d %H:%M}</td>" in page


def test_a_rejection_needs_a_reason_in_words(client: Client, case: Any, member_of: Callable[..., Any]) -> None:
    workflow, requirement, fulfillment = case
    client.force_login(member_of(workflow.workspace, Role.MEMBER, is_staff=True))
    url = reverse("admin:workflows_workflow_decide", args=[workflow.pk])

    refused = client.post(url, {"fulfillment_id": fulfillment.public_id, "decision": "REJECTED", "reason": " "})

    assert "A rejection needs a reason." in messages_of(refused)
    fulfillment.refresh_from_db()
    assert fulfillment.decision_status == DecisionStatus.PENDING

    client.post(url, {"fulfillment_id": fulfillment.public_id, "decision": "REJECTED", "reason": "Blurred photo"})
    fulfillment.refresh_from_db()
    assert (fulfillment.decision_status, fulfillment.decision_reason) == (DecisionStatus.REJECTED, "Blurred photo")
    page = client.get(change_url(workflow)).content.decode()
    assert "“Blurred photo”" in page


def test_a_viewer_reads_the_decisions_but_cannot_make_them(
    client: Client, case: Any, member_of: Callable[..., Any]
) -> None:
    workflow, _, fulfillment = case
    client.force_login(member_of(workflow.workspace, Role.VIEWER, is_staff=True))

    page = client.get(change_url(workflow)).content.decode()
    assert "passport.pdf" in page
    assert ">Accept</button>" not in page and "Request a revision" not in page

    decide = client.post(
        reverse("admin:workflows_workflow_decide", args=[workflow.pk]),
        {"fulfillment_id": fulfillment.public_id, "decision": "ACCEPTED"},
    )
    revision = client.post(
        reverse("admin:workflows_workflow_revision", args=[workflow.pk]),
        {"required_document_id": fulfillment.required_document.public_id, "message": "Again please"},
    )

    assert (decide.status_code, revision.status_code) == (403, 403)
    fulfillment.refresh_from_db()
    assert fulfillment.decision_status == DecisionStatus.PENDING
    assert not RevisionRequest.objects.exists()


def test_another_workspaces_member_cannot_decide(
    client: Client, case: Any, other_workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    workflow, _, fulfillment = case
    client.force_login(member_of(other_workspace, Role.OWNER, is_staff=True))

    response = client.post(
        reverse("admin:workflows_workflow_decide", args=[workflow.pk]),
        {"fulfillment_id": fulfillment.public_id, "decision": "ACCEPTED"},
    )

    assert response.status_code == 403
    fulfillment.refresh_from_db()
    assert fulfillment.decision_status == DecisionStatus.PENDING


def test_decide_is_post_only(client: Client, case: Any, member_of: Callable[..., Any]) -> None:
    workflow, _, _ = case
    client.force_login(member_of(workflow.workspace, Role.MEMBER, is_staff=True))
    assert client.get(reverse("admin:workflows_workflow_decide", args=[workflow.pk])).status_code == 405


def test_a_completed_workflow_is_read_only_on_its_page(
    client: Client, case: Any, member_of: Callable[..., Any]
) -> None:
    workflow, _, fulfillment = case
    Workflow.objects.filter(pk=workflow.pk).update(status=WorkflowStatus.COMPLETED)
    client.force_login(member_of(workflow.workspace, Role.OWNER, is_staff=True))

    page = client.get(change_url(workflow)).content.decode()
    response = client.post(
        reverse("admin:workflows_workflow_decide", args=[workflow.pk]),
        {"fulfillment_id": fulfillment.public_id, "decision": "ACCEPTED"},
    )

    assert "it is read-only" in page and ">Accept</button>" not in page
    assert 'name="required_documents-0-name"' not in page  # no editable requirement rows either
    assert response.status_code == 403
    fulfillment.refresh_from_db()
    assert fulfillment.decision_status == DecisionStatus.PENDING


def request_revision(client: Client, workflow: Workflow, requirement: RequiredDocument, message: str) -> str:
    """Ask for a revision on the page; returns the link it shows once."""
    response = client.post(
        reverse("admin:workflows_workflow_revision", args=[workflow.pk]),
        {"required_document_id": requirement.public_id, "message": message},
    )
    assert response.status_code == 302
    page = client.get(change_url(workflow)).content.decode()
    match = re.search(r'id="new-link-url" value="([^"]+)"', page)
    assert match, messages_of(response)
    assert 'data-copy="new-link-url"' in page
    assert 'id="new-link-url"' not in client.get(change_url(workflow)).content.decode()  # shown once
    return match.group(1)


def test_revision_request_reopens_the_client_link_and_the_new_file_is_a_new_fulfillment(
    client: Client, case: Any, member_of: Callable[..., Any], tmp_path: Path
) -> None:
    workflow, requirement, old = case
    client.force_login(member_of(workflow.workspace, Role.MEMBER, is_staff=True))

    link = request_revision(client, workflow, requirement, "The passport has expired; please send a valid one.")

    old.refresh_from_db()
    assert (old.decision_status, old.decision_reason) == (
        DecisionStatus.REJECTED,
        "The passport has expired; please send a valid one.",
    )
    workflow.refresh_from_db()
    assert workflow.status == WorkflowStatus.WAITING_FOR_CLIENT
    token = link.rsplit("/actions/", 1)[1]
    end_client = Client()
    page = end_client.get(f"/actions/{token}").content.decode()
    assert "The passport has expired; please send a valid one." in page
    assert "Passport" in page and f'data-required-document="{requirement.public_id}"' in page

    uploads = end_client.post(
        reverse("revision-uploads", args=[token]),
        {"files": [{"required_document_id": requirement.public_id, "file_name": "new passport.pdf"}]},
        content_type="application/json",
    )
    assert uploads.status_code == 200, uploads.content
    (upload,) = uploads.json()["uploads"]
    too_early = end_client.post(reverse("revision-confirm", args=[token]))
    assert too_early.status_code == 409
    assert too_early.json()["missing"][0]["required_document_id"] == requirement.public_id
    sent = requests.post(upload["url"], data=upload["fields"], files={"file": ("p.pdf", PDF)}, timeout=10)
    assert sent.status_code == 204

    confirmed = end_client.post(reverse("revision-confirm", args=[token]))

    assert (confirmed.status_code, confirmed.json()) == (200, {"status": "completed"})
    fulfillments = list(Fulfillment.objects.filter(required_document=requirement).order_by("created_at", "id"))
    assert [f.decision_status for f in fulfillments] == [DecisionStatus.REJECTED, DecisionStatus.PENDING]
    assert fulfillments[0].pk == old.pk  # the old one stays, with its reason
    assert fulfillments[1].subject_document.document.original_name == "new passport.pdf"
    workflow.refresh_from_db()
    requirement.refresh_from_db()
    assert (workflow.status, requirement.status) == (WorkflowStatus.IN_REVIEW, RequiredDocumentStatus.PENDING_REVIEW)
    thanks = end_client.get(f"/actions/{token}").content.decode()
    assert "We have received every document we asked for." in thanks
    assert f"Requested by {workflow.workspace.name}" in thanks  # the link opened later still says who asked
    assert RevisionRequest.objects.get().state == "Completed"


def test_a_revision_needs_a_message_and_writes_nothing_without_one(
    client: Client, case: Any, member_of: Callable[..., Any]
) -> None:
    workflow, requirement, old = case
    client.force_login(member_of(workflow.workspace, Role.MEMBER, is_staff=True))

    response = client.post(
        reverse("admin:workflows_workflow_revision", args=[workflow.pk]),
        {"required_document_id": requirement.public_id, "message": "  "},
    )

    assert "Tell the client what is wrong and what to send instead." in messages_of(response)
    assert not RevisionRequest.objects.exists()
    old.refresh_from_db()
    assert old.decision_status == DecisionStatus.PENDING


def test_a_file_that_is_not_what_it_claims_is_refused_in_words(
    client: Client, case: Any, member_of: Callable[..., Any]
) -> None:
    workflow, requirement, _ = case
    client.force_login(member_of(workflow.workspace, Role.MEMBER, is_staff=True))
    token = request_revision(client, workflow, requirement, "Please send it again.").rsplit("/actions/", 1)[1]
    end_client = Client()
    (upload,) = end_client.post(
        reverse("revision-uploads", args=[token]),
        {"files": [{"required_document_id": requirement.public_id, "file_name": "passport.pdf"}]},
        content_type="application/json",
    ).json()["uploads"]
    requests.post(upload["url"], data=upload["fields"], files={"file": ("p.pdf", b"not a pdf at all")}, timeout=10)

    confirmed = end_client.post(reverse("revision-confirm", args=[token]))

    assert confirmed.status_code == 409
    (missing,) = confirmed.json()["missing"]
    assert missing["problem"]
    assert Fulfillment.objects.filter(required_document=requirement).count() == 1
    assert escape(missing["problem"]) in end_client.get(f"/actions/{token}").content.decode()


def test_revision_uploads_refuse_bad_input_with_the_standard_error(
    client: Client, case: Any, member_of: Callable[..., Any]
) -> None:
    workflow, requirement, _ = case
    client.force_login(member_of(workflow.workspace, Role.MEMBER, is_staff=True))
    token = request_revision(client, workflow, requirement, "Again please.").rsplit("/actions/", 1)[1]
    url = reverse("revision-uploads", args=[token])

    not_asked = Client().post(
        url, {"files": [{"required_document_id": "rd_other", "file_name": "a.pdf"}]}, content_type="application/json"
    )
    bad_type = Client().post(
        url,
        {"files": [{"required_document_id": requirement.public_id, "file_name": "a.exe"}]},
        content_type="application/json",
    )
    empty = Client().post(url, {"files": []}, content_type="application/json")

    for response in (not_asked, bad_type, empty):
        assert response.status_code == 400, response.content
        body = response.json()
        assert body["success"] is False and body["code"] and body["error"]
    assert Fulfillment.objects.filter(required_document=requirement).count() == 1


def test_revoked_and_expired_links_say_so(client: Client, case: Any, member_of: Callable[..., Any]) -> None:
    workflow, requirement, _ = case
    client.force_login(member_of(workflow.workspace, Role.MEMBER, is_staff=True))
    token = request_revision(client, workflow, requirement, "Again please.").rsplit("/actions/", 1)[1]
    action, action_token = make_action(workflow.workspace, workflow=workflow)
    expired, _ = make_action(workflow.workspace, workflow=workflow)
    PublicAction.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    revision = RevisionRequest.objects.get()

    client.post(reverse("admin:workflows_workflow_revoke", args=[workflow.pk]), {"public_id": revision.public_id})
    client.post(reverse("admin:workflows_workflow_revoke", args=[workflow.pk]), {"public_id": action.public_id})

    page = client.get(change_url(workflow)).content.decode()
    assert f'data-link="{revision.public_id}" data-state="Revoked"' in page
    assert f'data-link="{action.public_id}" data-state="Revoked"' in page
    assert f'data-link="{expired.public_id}" data-state="Expired"' in page
    assert Client().get(f"/actions/{token}").status_code == 404
    assert Client().get(f"/actions/{action_token}").status_code == 404
    assert Client().post(reverse("revision-confirm", args=[token])).status_code == 401


def test_creating_a_form_link_shows_it_once_with_a_copy_button(
    client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    action, _ = make_action(workspace)  # a form version of this workspace to choose
    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    client.force_login(member_of(workspace, Role.MEMBER, is_staff=True))

    response = client.post(
        reverse("admin:workflows_publicaction_add"),
        {"workflow": workflow.pk, "form_version": action.form_version.pk, "expires_in_days": 3},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(change_url(workflow))
    page = client.get(response["Location"]).content.decode()
    link = re.search(r'id="new-link-url" value="([^"]+)"', page)
    assert link and "/actions/" in link.group(1)
    assert Client().get(link.group(1).split("testserver", 1)[1]).status_code == 200


def test_complete_only_once_every_requirement_is_accepted(
    client: Client, case: Any, member_of: Callable[..., Any]
) -> None:
    workflow, _, fulfillment = case
    client.force_login(member_of(workflow.workspace, Role.MEMBER, is_staff=True))
    complete = reverse("admin:workflows_workflow_complete", args=[workflow.pk])

    refused = client.post(complete)

    assert "Every required document must be ACCEPTED before the workflow can be completed." in messages_of(refused)
    workflow.refresh_from_db()
    assert workflow.status != WorkflowStatus.COMPLETED

    client.post(
        reverse("admin:workflows_workflow_decide", args=[workflow.pk]),
        {"fulfillment_id": fulfillment.public_id, "decision": "ACCEPTED"},
    )
    client.post(complete)

    workflow.refresh_from_db()
    assert workflow.status == WorkflowStatus.COMPLETED
    again = client.post(complete)
    assert again.status_code == 403  # read-only now

"""Issue 11's list of rules the admin and the API disagreed on, each tried through the admin and the API.

Staff users here have a membership and no Django model permission: their workspace role is all they have.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from config.errors import ValidationFailed
from submissions.constants import EventType, VisibilityMode
from submissions.models import MatterSubmission, ShareLink, Submission, SubmissionEvent
from submissions.services import (
    form_create,
    form_publish,
    matter_create,
    share_link_create,
    submission_create,
    visibility_set,
)
from tests.workflows.factories import (
    RequiredDocumentFactory,
    SubjectRecordFactory,
    WorkflowFactory,
    uploaded_subject_document,
)
from workflows.constants import DecisionStatus, WorkflowStatus
from workflows.models import Fulfillment, RequiredDocument
from workflows.services.requirements import fulfillment_decide
from workspaces.constants import Role
from workspaces.models import Workspace
from workspaces.services import membership_set

SCHEMA = {"fields": [{"key": "full_name", "type": "text", "label": "Full name", "required": True}]}


def messages_of(response: Any) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def make_submission(workspace: Workspace, name: str = "Jane Smith") -> Submission:
    form = form_create(workspace=workspace, title="Intake", schema=SCHEMA, acting_user=None)
    version = form_publish(form=form, acting_user=None)
    return submission_create(workspace=workspace, form_version=version, data={"full_name": name}, acting_user=None)


@pytest.fixture
def staff(client: Client, workspace: Workspace, member_of: Callable[..., Any]) -> Callable[[Role], Any]:
    """staff(role): log ``client`` in as a new staff member with that role and no model permission."""

    def login(role: Role) -> Any:
        user = member_of(workspace, role, is_staff=True)
        assert not user.user_permissions.exists()
        client.force_login(user)
        return user

    return login


@pytest.fixture
def fulfillment(workspace: Workspace) -> Fulfillment:
    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    requirement = RequiredDocumentFactory.create(workflow=workflow)
    document = uploaded_subject_document(workflow.subject_record)
    return Fulfillment.objects.create(required_document=requirement, subject_document=document)


def decide(client: APIClient, fulfillment: Fulfillment, decision: str, reason: str = "") -> Any:
    body = {"fulfillment_id": fulfillment.public_id, "decision_status": decision, "reason": reason}
    return client.post(reverse("fulfillment-decide"), body, format="json")


def test_a_member_not_granted_a_restricted_submission_neither_opens_nor_deletes_it(
    client: Client, staff: Any, workspace: Workspace, api_client_for: Any
) -> None:
    submission = make_submission(workspace, name="Zebediah Hidden")
    visibility_set(submission=submission, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    member = staff(Role.MEMBER)

    api = api_client_for(workspace, user=member)
    assert api.get(reverse("submission-detail", args=[submission.public_id])).status_code == 404
    for url in (
        reverse("admin:submissions_submission_change", args=[submission.pk]),
        reverse("admin:submissions_submission_delete", args=[submission.pk]),
        reverse("admin:submissions_submission_history", args=[submission.pk]),
        reverse("admin:submissions_submission_changelist"),
    ):
        body = client.get(url, follow=True).content.decode()
        assert "Zebediah Hidden" not in body and submission.public_id not in body, url
    client.post(reverse("admin:submissions_submission_delete", args=[submission.pk]), {"post": "yes"})
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_a_viewer_cannot_accept_a_fulfillment_in_the_admin_or_the_api(
    client: Client, staff: Any, workspace: Workspace, fulfillment: Fulfillment, api_client_for: Any
) -> None:
    viewer = staff(Role.VIEWER)
    change = reverse("admin:workflows_fulfillment_change", args=[fulfillment.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="decision"' not in page.content.decode()

    assert client.post(change, {"decision": "ACCEPTED", "reason": ""}).status_code == 403
    client.post(
        reverse("admin:workflows_fulfillment_changelist"),
        {"action": "accept_fulfillments", "_selected_action": [fulfillment.pk]},
    )
    assert decide(api_client_for(workspace, user=viewer), fulfillment, "ACCEPTED").status_code == 403
    fulfillment.refresh_from_db()
    assert fulfillment.decision_status == DecisionStatus.PENDING


def test_workspace_roles_drive_the_admin_not_django_permissions(
    client: Client, staff: Any, workspace: Workspace
) -> None:
    submission = make_submission(workspace)
    staff(Role.MEMBER)
    index = client.get(reverse("admin:index")).content.decode()
    assert "have permission to view or edit anything" not in index
    assert reverse("admin:submissions_submission_changelist") in index
    assert submission.public_id in client.get(reverse("admin:submissions_submission_changelist")).content.decode()

    # Every model permission does not make a VIEWER more than a VIEWER.
    viewer = staff(Role.VIEWER)
    viewer.user_permissions.add(*Permission.objects.all())
    url = reverse("admin:submissions_submission_case_action", args=[submission.pk, "status"])
    assert client.post(url, {"status": "PENDING"}).status_code == 403
    assert client.get(reverse("admin:submissions_form_add")).status_code == 403
    submission.refresh_from_db()
    assert submission.status == "COMPLETED"


def test_the_matter_link_inline_links_only_submissions_of_the_matter_s_workspace(
    client: Client, workspace: Workspace, other_workspace: Workspace, member_of: Any
) -> None:
    """A reviewer in two workspaces could link one's submission to the other's matter."""
    user = member_of(workspace, Role.MEMBER, is_staff=True)
    membership_set(workspace=other_workspace, user=user, role=Role.MEMBER, acting_user=None)
    client.force_login(user)
    matter = matter_create(workspace=workspace, title="Case", acting_user=None)
    foreign = make_submission(other_workspace)
    own = make_submission(workspace)
    url = reverse("admin:submissions_matter_change", args=[matter.pk])
    form = {
        "title": "Case",
        "links-TOTAL_FORMS": 1,
        "links-INITIAL_FORMS": 0,
        "links-MIN_NUM_FORMS": 0,
        "links-MAX_NUM_FORMS": 1000,
    }

    response = client.post(url, {**form, "links-0-submission": foreign.pk}, follow=True)
    assert "own workspace only" in messages_of(response) or "Select a valid choice" in response.content.decode()
    assert not MatterSubmission.objects.exists()

    client.post(url, {**form, "links-0-submission": own.pk})
    assert list(MatterSubmission.objects.values_list("submission_id", flat=True)) == [own.pk]


def test_revoking_a_share_link_in_the_admin_writes_the_audit_event_the_api_writes(
    client: Client, staff: Any, workspace: Workspace, api_client_for: Any
) -> None:
    submission = make_submission(workspace)
    link, _ = share_link_create(submission=submission, acting_user=None)
    member = staff(Role.MEMBER)

    client.post(reverse("admin:submissions_sharelink_changelist"), {"action": "revoke", "_selected_action": [link.pk]})

    link.refresh_from_db()
    assert link.revoked_at is not None
    event = SubmissionEvent.objects.get(submission=submission, type=EventType.SHARE_REVOKED)
    assert event.actor == member
    history = api_client_for(workspace).get(reverse("submission-history", args=[submission.public_id])).json()
    assert EventType.SHARE_REVOKED in [item["type"] for item in history["events"]]


def test_a_viewer_cannot_revoke_a_share_link(client: Client, staff: Any, workspace: Workspace) -> None:
    link, _ = share_link_create(submission=make_submission(workspace), acting_user=None)
    staff(Role.VIEWER)
    client.post(reverse("admin:submissions_sharelink_changelist"), {"action": "revoke", "_selected_action": [link.pk]})
    assert ShareLink.objects.get(pk=link.pk).revoked_at is None


def required_document_form(requirement: RequiredDocument, text: str) -> dict[str, Any]:
    return {
        "required_documents-TOTAL_FORMS": 1,
        "required_documents-INITIAL_FORMS": 1,
        "required_documents-MIN_NUM_FORMS": 0,
        "required_documents-MAX_NUM_FORMS": 1000,
        "required_documents-0-id": requirement.pk,
        "required_documents-0-workflow": requirement.workflow_id,
        "required_documents-0-name": requirement.name,
        "required_documents-0-category": requirement.category,
        "required_documents-0-requirement_text": text,
    }


def test_required_documents_are_edited_through_the_service_and_a_closed_workflow_is_read_only(
    client: Client, staff: Any, workspace: Workspace, api_client_for: Any
) -> None:
    requirement = RequiredDocumentFactory.create(
        workflow=WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    )
    workflow = requirement.workflow
    staff(Role.MEMBER)
    url = reverse("admin:workflows_workflow_change", args=[workflow.pk])

    client.post(url, required_document_form(requirement, "A certified copy"))
    requirement.refresh_from_db()
    assert requirement.requirement_text == "A certified copy"

    workflow.status = WorkflowStatus.COMPLETED
    workflow.save()
    page = client.get(url).content.decode()
    assert 'name="required_documents-0-requirement_text"' not in page
    assert client.post(url, required_document_form(requirement, "Changed after completion")).status_code == 403
    requirement.refresh_from_db()
    assert requirement.requirement_text == "A certified copy"

    api = api_client_for(workspace)
    body = {"workflow_id": workflow.public_id, "document_type_code": "PASSPORT"}
    response = api.post(reverse("required-document-add"), body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "WORKFLOW_CLOSED"
    assert RequiredDocument.objects.filter(workflow=workflow).count() == 1


def test_a_rejection_needs_a_reason_in_the_service_itself(
    client: Client, staff: Any, workspace: Workspace, fulfillment: Fulfillment, api_client: APIClient
) -> None:
    with pytest.raises(ValidationFailed, match="reason"):
        fulfillment_decide(
            workspace=workspace,
            fulfillment_id=fulfillment.public_id,
            decision=DecisionStatus.REJECTED,
            reason="  ",
            acting_user=None,
        )
    response = decide(api_client, fulfillment, "REJECTED", "   ")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR" and "reason" in response.json()["details"]["fields"]

    staff(Role.MEMBER)
    url = reverse("admin:workflows_fulfillment_change", args=[fulfillment.pk])
    page = client.post(url, {"decision": "REJECTED", "reason": ""})
    assert page.status_code == 200 and "A rejection needs a reason." in page.content.decode()
    fulfillment.refresh_from_db()
    assert fulfillment.decision_status == DecisionStatus.PENDING and fulfillment.history.count() == 1


def test_saving_an_unchanged_page_writes_nothing(client: Client, staff: Any, workspace: Workspace) -> None:
    submission = make_submission(workspace)
    staff(Role.MEMBER)
    snapshots = submission.history.count()
    url = reverse("admin:submissions_submission_case_action", args=[submission.pk, "status"])

    response = client.post(url, {"status": submission.status})  # not a change: not offered, refused in words

    assert response.status_code == 302
    assert submission.history.count() == snapshots
    assert not LogEntry.objects.exists()

    client.post(url, {"status": "PENDING"})  # a real change is a snapshot, through the service
    assert submission.history.count() == snapshots + 1
    assert submission.history.first().history_change_reason == "status"


def test_an_admin_undoes_a_restriction_in_the_admin_as_in_the_api(
    client: Client, staff: Any, workspace: Workspace
) -> None:
    submission = make_submission(workspace, name="Zebediah Hidden")
    visibility_set(submission=submission, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    staff(Role.ADMIN)
    changelist = client.get(reverse("admin:submissions_submissionvisibility_changelist")).content.decode()
    assert submission.public_id in changelist and "Zebediah Hidden" not in changelist
    url = reverse("admin:submissions_submissionvisibility_change", args=[submission.pk])
    assert "Zebediah Hidden" not in client.get(url).content.decode()

    client.post(url, {"visibility_mode": "workspace"})

    submission.refresh_from_db()
    assert submission.visibility_mode == "workspace"
    assert SubmissionEvent.objects.filter(submission=submission, type=EventType.VISIBILITY_CHANGED).exists()


def test_a_member_does_not_manage_visibility_in_the_admin(client: Client, staff: Any, workspace: Workspace) -> None:
    submission = make_submission(workspace)
    staff(Role.MEMBER)
    assert client.get(reverse("admin:submissions_submissionvisibility_changelist")).status_code == 403
    url = reverse("admin:submissions_submissionvisibility_change", args=[submission.pk])
    client.post(url, {"visibility_mode": "restricted"})
    submission.refresh_from_db()
    assert submission.visibility_mode == "workspace"

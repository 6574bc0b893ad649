"""Every audited action, done through its public surface, leaves its row: who, in which workspace, from where."""

from __future__ import annotations

import copy
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.constants import AuditAction
from audit.models import AuditEvent
from submissions.constants import EventType
from tests.documents.factories import UploadedDocumentFactory
from tests.submissions.schemas import SEED_SUBMISSION_DATA
from tests.workflows.factories import RequiredDocumentFactory, SubjectRecordFactory, WorkflowFactory
from tests.workflows.test_requirements import batch_add, call, uploaded
from tests.workspaces.factories import UserFactory
from tests.workspaces.test_admin import members_form
from workspaces.constants import Role
from workspaces.models import ApiKey, Membership

LOGIN = reverse("admin:login")


def only(action: str, **filters: Any) -> AuditEvent:
    return AuditEvent.objects.get(action=action, **filters)


def test_a_sign_in_is_recorded_in_the_users_workspace_with_where_it_came_from(
    client: Any, member_of: Any, workspace: Any
) -> None:
    user = member_of(workspace, Role.ADMIN, is_staff=True, username="ada")
    user.set_password("correct-horse-battery")
    user.save()
    response = client.post(
        LOGIN,
        {"username": "ada", "password": "correct-horse-battery", "next": "/admin/"},
        REMOTE_ADDR="127.0.0.7",
        HTTP_USER_AGENT="Browser/1.0",
    )
    assert response.status_code == 302
    event = only(AuditAction.SIGN_IN)
    assert (event.workspace, event.actor_user, event.actor_label, event.ip_address, event.user_agent) == (
        workspace,
        user,
        "ada",
        "127.0.0.7",
        "Browser/1.0",
    )


def test_a_failed_sign_in_is_recorded_without_the_password(client: Any, member_of: Any, workspace: Any) -> None:
    member_of(workspace, Role.MEMBER, is_staff=True, username="bob")
    response = client.post(LOGIN, {"username": "bob", "password": "guess-one", "next": "/admin/"})
    assert response.status_code == 200  # the form again
    client.post(LOGIN, {"username": "mallory", "password": "guess-two", "next": "/admin/"})

    known = only(AuditAction.SIGN_IN_FAILED, actor_label="bob")
    assert known.workspace == workspace and known.actor_user is None and known.ip_address == "127.0.0.1"
    unknown = only(AuditAction.SIGN_IN_FAILED, actor_label="mallory")
    assert unknown.workspace is None  # a login of nobody: the platform operator's row
    assert "guess" not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_reading_a_submission_through_the_api_names_the_member_and_the_key(
    api_client_for: Any, member_of: Any, workspace: Any, submission: Any
) -> None:
    reader = member_of(workspace, Role.VIEWER, username="vera")
    client = api_client_for(workspace, user=reader, role=Role.VIEWER)
    response = client.get(reverse("submission-detail", args=[submission.public_id]), HTTP_USER_AGENT="curl/8")
    assert response.status_code == 200
    event = only(AuditAction.SUBMISSION_READ)
    assert (event.workspace, event.actor_user, event.actor_api_key, event.actor_label, event.target_id) == (
        workspace,
        reader,
        "test key",
        "vera",
        submission.public_id,
    )
    assert event.ip_address == "127.0.0.1" and event.user_agent == "curl/8" and event.details["via"] == "api"


def test_an_api_key_acting_on_its_own_is_named_by_the_key(api_client: Any, submission: Any) -> None:
    assert api_client.get(reverse("submission-detail", args=[submission.public_id])).status_code == 200
    event = only(AuditAction.SUBMISSION_READ)
    assert event.actor_user is None and event.actor_label == "API key test key"


def test_a_refused_read_records_nothing(api_client_for: Any, other_workspace: Any, submission: Any) -> None:
    response = api_client_for(other_workspace).get(reverse("submission-detail", args=[submission.public_id]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.SUBMISSION_READ).exists()


def test_the_admin_case_page_and_the_share_page_record_reads(
    client: Any, api_client: Any, member_of: Any, workspace: Any, submission: Any
) -> None:
    share_url = api_client.post(reverse("submission-share", args=[submission.public_id])).json()["shareUrl"]
    reviewer = member_of(workspace, Role.MEMBER, is_staff=True, username="rita")
    client.force_login(reviewer)
    assert client.get(reverse("admin:submissions_submission_change", args=[submission.pk])).status_code == 200
    client.logout()
    assert client.get(share_url).status_code == 200

    reads = AuditEvent.objects.filter(action=AuditAction.SUBMISSION_READ).order_by("id")
    assert [(event.details["via"], event.actor_label) for event in reads] == [("admin", "rita"), ("share_page", "")]
    assert {event.target_id for event in reads} == {submission.public_id}
    assert only(EventType.SHARED).actor_label == "API key test key"  # the link itself, a timeline event


def test_visibility_and_grant_changes_are_recorded_beside_the_timeline(
    owner_client: Any, owner: Any, member_of: Any, workspace: Any, submission: Any
) -> None:
    grantee = member_of(workspace, Role.VIEWER)
    url = reverse("submission-visibility", args=[submission.public_id])
    grants = [{"targetType": "user", "targetId": str(grantee.pk), "accessLevel": "viewer"}]
    assert owner_client.put(url, {"mode": "restricted", "grants": grants}, format="json").status_code == 200
    event = only(EventType.VISIBILITY_CHANGED)
    assert event.actor_user == owner and event.target_id == submission.public_id
    assert event.details["mode"] == "restricted" and event.details["grants"] == 1
    # The history endpoint (the seed's contract) still shows the same event.
    history = owner_client.get(reverse("submission-history", args=[submission.public_id])).json()
    assert any(item.get("type") == EventType.VISIBILITY_CHANGED for item in history["events"])


def test_a_rollback_is_recorded(owner_client: Any, owner: Any, submission: Any) -> None:
    url = reverse("submission-detail", args=[submission.public_id])
    owner_client.patch(url, {"data": {**copy.deepcopy(SEED_SUBMISSION_DATA), "full_name": "Second"}}, format="json")
    first = owner_client.get(reverse("submission-history", args=[submission.public_id])).json()["events"][-1]
    response = owner_client.post(reverse("submission-rollback", args=[submission.public_id, first["snapshotId"]]))
    assert response.status_code == 200, response.content
    event = only(AuditAction.ROLLED_BACK)
    assert (event.actor_user, event.target_id, event.details) == (owner, submission.public_id, {"version": 1})


def test_a_decision_is_recorded(workspace: Any, api_client: Any, owner: Any, owner_client: Any) -> None:
    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    passport = RequiredDocumentFactory.create(workflow=workflow)
    document = uploaded(api_client, workflow.subject_record)
    fulfillment = batch_add(api_client, workflow, (passport.public_id, document)).json()["data"]["fulfillments"][0]
    body = {"fulfillment_id": fulfillment["fulfillment_id"], "decision_status": "REJECTED", "reason": "Blurred"}
    assert call(owner_client, "fulfillment-decide", body).status_code == 200

    event = only(AuditAction.FULFILLMENT_DECIDED)
    assert (event.workspace, event.actor_user, event.target_id) == (workspace, owner, fulfillment["fulfillment_id"])
    assert event.details["decision"] == "REJECTED" and event.details["reason"] == "Blurred"
    assert event.details["workflowId"] == workflow.public_id


def test_member_and_role_changes_in_the_admin_are_recorded(client: Any, member_of: Any, workspace: Any) -> None:
    admin_user = member_of(workspace, Role.ADMIN, is_staff=True, username="adele")
    client.force_login(admin_user)
    UserFactory.create(username="newcomer")
    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])
    keep = {"id": Membership.objects.get(user=admin_user).pk, "workspace": workspace.pk, "role": Role.ADMIN}

    client.post(url, members_form(workspace, [keep, {"username": "newcomer", "role": Role.VIEWER}], initial=1))
    newcomer = Membership.objects.get(user__username="newcomer")
    row = {"id": newcomer.pk, "workspace": workspace.pk}
    client.post(url, members_form(workspace, [keep, {**row, "role": Role.MEMBER}], initial=2))
    client.post(url, members_form(workspace, [keep, {**row, "role": Role.MEMBER, "DELETE": "on"}], initial=2))

    events = AuditEvent.objects.filter(action__startswith="member_", workspace=workspace).order_by("id")
    assert [(e.action, e.details.get("role"), e.details.get("previousRole")) for e in events] == [
        (AuditAction.MEMBER_ADDED, Role.VIEWER, None),
        (AuditAction.MEMBER_ROLE_CHANGED, Role.MEMBER, Role.VIEWER),
        (AuditAction.MEMBER_REMOVED, Role.MEMBER, None),
    ]
    assert {(e.actor_user, e.target_id, e.details["username"]) for e in events} == {
        (admin_user, str(newcomer.user_id), "newcomer")
    }


def test_api_key_creation_and_revocation_in_the_admin_are_recorded(client: Any, member_of: Any, workspace: Any) -> None:
    owner = member_of(workspace, Role.OWNER, is_staff=True, username="otto")
    client.force_login(owner)
    add = {"workspace": workspace.pk, "name": "ci", "role": Role.VIEWER}
    assert client.post(reverse("admin:workspaces_apikey_add"), add).status_code == 302
    key = ApiKey.objects.get(name="ci")
    revoke = {"action": "revoke_keys", "_selected_action": [key.pk]}
    client.post(reverse("admin:workspaces_apikey_changelist"), revoke)

    events = list(AuditEvent.objects.filter(target_type="api_key").order_by("id"))
    assert [(e.action, e.actor_user, e.target_id) for e in events] == [
        (AuditAction.API_KEY_CREATED, owner, str(key.pk)),
        (AuditAction.API_KEY_REVOKED, owner, str(key.pk)),
    ]
    assert events[0].details == {"name": "ci", "role": Role.VIEWER, "prefix": key.prefix}  # never the secret


def test_notes_are_recorded_with_the_timeline_event(api_client: Any, submission: Any) -> None:
    url = reverse("submission-notes", args=[submission.public_id])
    assert api_client.post(url, {"content": "Checked the passport"}, format="json").status_code == 201
    event = only(EventType.NOTE_ADDED)
    assert event.target_id == submission.public_id and event.actor_label == "API key test key"
    assert "noteId" in event.details


def test_each_download_link_handed_out_is_recorded_in_one_insert(
    api_client_for: Any, member_of: Any, workspace: Any, submission: Any
) -> None:

    reader = member_of(workspace, Role.VIEWER, username="vera")
    client = api_client_for(workspace, user=reader, role=Role.VIEWER)
    files = [UploadedDocumentFactory(workspace=workspace, original_name=f"scan-{n}.pdf") for n in range(3)]
    adder = api_client_for(workspace)
    url = reverse("submission-documents", args=[submission.public_id])
    for document in files:
        assert adder.post(url, {"fileId": str(document.uuid)}, format="json").status_code == 201
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()  # the adds' links come before

    with CaptureQueriesContext(connection) as queries:
        listing = client.get(url)
    inserts = [query for query in queries if query["sql"].startswith('INSERT INTO "audit_auditevent"')]
    assert len(inserts) == 1
    assert listing.status_code == 200 and all(item["url"] for item in listing.json()["documents"])
    issued = AuditEvent.objects.filter(action=AuditAction.DOWNLOAD_LINK_ISSUED, id__gt=before).order_by("id")
    assert [(e.target_id, e.details["name"], e.actor_user, e.actor_api_key) for e in issued] == [
        (str(document.uuid), document.sanitized_name, reader, "test key") for document in files
    ]
    # Refused: no link, no row.
    other = api_client_for(workspace, user=member_of(workspace, Role.VIEWER), role=Role.VIEWER)
    assert other.get(reverse("submission-documents", args=["SUB-NOSUCHTHING"])).status_code == 404
    assert issued.count() == 3


def test_a_revision_request_and_its_revocation_are_recorded(client: Any, member_of: Any, workspace: Any) -> None:
    from tests.workflows.test_workflow_review_admin import request_revision, uploaded_fulfillment
    from workflows.models import RevisionRequest

    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    requirement = RequiredDocumentFactory.create(workflow=workflow, name="Passport")
    uploaded_fulfillment(workflow, requirement)
    reviewer = member_of(workspace, Role.MEMBER, is_staff=True, username="rosa")
    client.force_login(reviewer)
    request_revision(client, workflow, requirement, "The passport has expired.")
    revision = RevisionRequest.objects.get()
    client.post(reverse("admin:workflows_workflow_revoke", args=[workflow.pk]), {"public_id": revision.public_id})

    events = AuditEvent.objects.filter(target_type="revision_request").order_by("id")
    assert [(e.action, e.actor_user, e.target_id) for e in events] == [
        (AuditAction.REVISION_REQUESTED, reviewer, revision.public_id),
        (AuditAction.REVISION_REVOKED, reviewer, revision.public_id),
    ]
    assert events[0].details == {"message": "The passport has expired.", "workflowId": workflow.public_id}
    # The pending fulfillment it rejected is a decision of its own.
    rejected = AuditEvent.objects.get(action=AuditAction.FULFILLMENT_DECIDED)
    assert rejected.details["decision"] == "REJECTED" and rejected.actor_user == reviewer

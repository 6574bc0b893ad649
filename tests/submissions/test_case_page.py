"""The submission's admin page as a reviewer's case: answers by field type, actions through the services with a
refusal per role, the history with actors, the side-by-side comparison and rollback."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from documents.models import Document
from submissions.constants import EventType, VisibilityMode
from submissions.models import FormVersion, ShareLink, Submission, SubmissionAttachment, SubmissionEvent
from submissions.services import attachment_add, note_create, submission_update
from tests.documents.factories import UploadedDocumentFactory
from tests.submissions.schemas import SEED_FORM_SCHEMA, SEED_SUBMISSION_DATA
from tests.workspaces.factories import WorkspaceFactory
from workspaces.constants import Role
from workspaces.models import OversightRelationship, Workspace

pytestmark = pytest.mark.django_db

CASE_SCHEMA: dict[str, Any] = copy.deepcopy(SEED_FORM_SCHEMA)
CASE_SCHEMA["fields"] += [
    {"key": "is_pep", "label": "Politically exposed?", "type": "yesno"},
    {
        "key": "pep_role",
        "label": "Public role held",
        "type": "text",
        "condition": {"field": "is_pep", "operator": "equals", "value": True},
    },
    {
        "key": "entity_type",
        "label": "Entity type",
        "type": "radio",
        "options": [{"value": "llc", "label": "Limited company"}, {"value": "trust", "label": "Trust"}],
    },
    {"key": "passport", "label": "Passport scan", "type": "file"},
]


def case_url(submission: Submission) -> str:
    return reverse("admin:submissions_submission_change", args=[submission.pk])


def action_url(submission: Submission, action: str) -> str:
    return reverse("admin:submissions_submission_case_action", args=[submission.pk, action])


def answer(html: str, label: str) -> str:
    """The text shown for the answer labelled ``label``."""
    found = re.search(rf"<dt>{re.escape(label)}</dt>\s*<dd>(.*?)</dd>", html, re.S)
    assert found, label
    return found.group(1).strip()


def messages_of(response: Any) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


@pytest.fixture
def login(client: Client, workspace: Workspace, member_of: Callable[..., Any]) -> Callable[..., Any]:
    def log_in(role: Role, **fields: Any) -> Any:
        user = member_of(workspace, role, is_staff=True, **fields)
        client.force_login(user)
        return user

    return log_in


@pytest.fixture
def passport(workspace: Workspace) -> Document:
    return UploadedDocumentFactory.create(
        workspace=workspace, original_name="passport-jane.png", content_type="image/png"
    )


@pytest.fixture
def case(
    workspace: Workspace,
    publish_form: Callable[..., FormVersion],
    make_submission: Callable[..., Submission],
    passport: Document,
) -> Submission:
    data = {**SEED_SUBMISSION_DATA, "is_pep": False, "entity_type": "trust", "passport": str(passport.uuid)}
    return make_submission(publish_form(workspace, CASE_SCHEMA), data)


def test_a_case_reads_by_field_type_with_its_files(
    client: Client,
    login: Callable[..., Any],
    case: Submission,
    workspace: Workspace,
    django_assert_max_num_queries: Any,
) -> None:
    login(Role.MEMBER)
    statement = UploadedDocumentFactory.create(workspace=workspace, original_name="bank-statement.pdf")
    attachment_add(submission=case, document_uuid=statement.uuid, acting_user=None)

    with django_assert_max_num_queries(22):
        response = client.get(case_url(case))

    assert response.status_code == 200
    html = response.content.decode()
    assert "United States (US)" in html and "High risk, Politically exposed person" in html
    assert answer(html, "Entity type") == "Trust" and answer(html, "Politically exposed?") == "No"  # labels
    assert "Public role held" not in html  # a hidden conditional field is not shown
    assert "<h3>Shareholders</h3>" in html and "456 Oak Ave" in html
    assert '<th scope="col">Class</th>' in html and "Preference" in html
    # The file answer and the attachment: names with a thumbnail and a short-lived download link, no bare uuid.
    assert "passport-jane.png" in html and "bank-statement.pdf" in html
    assert html.count("/files/thumbnails/") == 2 and "X-Amz-Expires=900" in html
    assert ">" + str(case.data["passport"]) + "<" not in html
    assert "__delta__" not in html


def test_only_the_allowed_status_changes_are_offered_and_made(
    client: Client, login: Callable[..., Any], case: Submission
) -> None:
    login(Role.MEMBER)
    html = client.get(case_url(case)).content.decode()
    assert '<option value="PENDING">' in html and '<option value="EDITED">' in html
    assert '<option value="DRAFT">' not in html  # COMPLETED cannot go back to DRAFT

    refused = client.post(action_url(case, "status"), {"status": "DRAFT"}, follow=True)
    assert "Nothing was changed" in messages_of(refused)
    case.refresh_from_db()
    assert case.status == "COMPLETED" and case.history.count() == 1

    response = client.post(action_url(case, "status"), {"status": "PENDING"}, follow=True)
    assert "Status changed to Pending" in messages_of(response)
    case.refresh_from_db()
    assert case.status == "PENDING" and case.history.first().history_change_reason == "status"


def test_a_member_reviews_assigns_notes_shares_and_attaches(
    client: Client, login: Callable[..., Any], case: Submission, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    login(Role.MEMBER)
    colleague = member_of(workspace, Role.MEMBER, first_name="Rita", last_name="Reviewer")
    client.post(action_url(case, "assign"), {"user": str(colleague.pk)})
    case.refresh_from_db()
    assert case.user == colleague
    assert SubmissionEvent.objects.filter(submission=case, type=EventType.REASSIGNED).count() == 1

    client.post(action_url(case, "note"), {"content": "Asked for a newer statement"})
    assert case.notes.get().content == "Asked for a newer statement"

    shared = client.post(action_url(case, "share"), follow=True)
    assert "/share/" in messages_of(shared)
    link = ShareLink.objects.get(submission=case)
    client.post(action_url(case, "revoke"), {"id": str(link.pk)})
    link.refresh_from_db()
    assert link.revoked_at is not None

    document = UploadedDocumentFactory.create(workspace=workspace, original_name="utility-bill.pdf")
    assert "utility-bill.pdf" in client.get(case_url(case)).content.decode()  # offered to attach
    client.post(action_url(case, "attach"), {"document": str(document.uuid)})
    attachment = SubmissionAttachment.objects.get(submission=case)
    client.post(action_url(case, "detach"), {"id": attachment.public_id})
    assert not SubmissionAttachment.objects.filter(submission=case).exists()

    types = set(SubmissionEvent.objects.filter(submission=case).values_list("type", flat=True))
    assert {"reassigned", "note_added", "shared", "share_revoked", "document_attached", "document_removed"} <= types
    timeline = client.get(case_url(case)).content.decode()
    assert "Reassigned to Rita Reviewer" in timeline and "Document removed: utility-bill.pdf" in timeline


def test_bad_input_is_a_message_and_writes_nothing(
    client: Client, login: Callable[..., Any], case: Submission, workspace: Workspace, other_workspace: Workspace
) -> None:
    login(Role.MEMBER)
    for action, body, expected in [
        ("note", {"content": ""}, "Nothing was changed"),
        ("note", {"content": "<b></b>"}, "content is required"),
        ("assign", {"user": "999999"}, "Nothing was changed"),
        ("attach", {"document": "not-a-uuid"}, "Nothing was changed"),
        ("attach", {"document": str(UploadedDocumentFactory.create(workspace=other_workspace).uuid)}, "No such file"),
        ("detach", {"id": "att_missing"}, "No such attachment"),
    ]:
        response = client.post(action_url(case, action), body, follow=True)
        assert response.status_code == 200 and expected in messages_of(response), action
    assert not case.notes.exists() and not case.attachments.exists() and not case.events.exists()
    assert client.post(action_url(case, "explode"), {}).status_code == 404
    assert client.get(action_url(case, "note")).status_code == 405


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER])
def test_refusals_per_role(client: Client, login: Callable[..., Any], case: Submission, role: Role) -> None:
    login(role)
    page = client.get(case_url(case)).content.decode()
    assert "Roll back to" not in page and "Save visibility" not in page
    first = case.history.order_by("history_id").first()
    refused = {"rollback": {"id": first.snapshot_id}, "visibility": {"visibility_mode": "restricted"}}
    if role == Role.VIEWER:
        assert "Change status" not in page and "Add note" not in page and "Create a read-only link" not in page
        refused |= {"status": {"status": "PENDING"}, "note": {"content": "x"}, "share": {}, "assign": {"user": ""}}
    for action, body in refused.items():
        assert client.post(action_url(case, action), body).status_code == 403, action
    case.refresh_from_db()
    assert case.status == "COMPLETED" and case.visibility_mode == VisibilityMode.WORKSPACE
    assert case.history.count() == 1 and not case.notes.exists() and not ShareLink.objects.exists()


def test_another_workspace_s_member_gets_nothing(
    client: Client, case: Submission, other_workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    client.force_login(member_of(other_workspace, Role.OWNER, is_staff=True))
    assert client.get(case_url(case)).status_code == 302  # as the admin answers for a row it does not show
    assert client.post(action_url(case, "note"), {"content": "x"}).status_code == 404
    compare = reverse("admin:submissions_submission_compare", args=[case.pk])
    assert client.get(compare).status_code == 302
    assert not case.notes.exists()


def _edit(submission: Submission, user: Any, **changes: Any) -> None:
    submission.refresh_from_db()
    submission_update(submission=submission, acting_user=user, data={**submission.data, **changes})


def test_history_lists_versions_with_actors_and_the_timeline(
    client: Client,
    login: Callable[..., Any],
    case: Submission,
    api_client_for: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    owner = login(Role.OWNER, first_name="Olivia", last_name="Owner")
    _edit(case, owner, comments="Checked against the registry")
    case.refresh_from_db()
    by_key = api_client_for(case.workspace).patch(  # the key is named "test key"
        reverse("submission-detail", args=[case.public_id]),
        {"data": {**case.data, "email": "jane.smith@example.com"}},
        format="json",
    )
    assert by_key.status_code == 200
    note_create(submission=case, content="Looks fine", acting_user=owner)

    with django_assert_max_num_queries(16):
        response = client.get(reverse("admin:submissions_submission_history", args=[case.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "v1" in html and "v2" in html and "v3" in html
    assert "Olivia Owner" in html and "API key test key" in html
    assert "Updated 1 field: Comments" in html and "Updated 1 field: Email" in html
    assert "Note added" in html
    assert "__delta__" not in html and "chars]" not in html and "None" not in html


def test_compare_two_versions_side_by_side(
    client: Client,
    login: Callable[..., Any],
    case: Submission,
    workspace: Workspace,
    django_assert_max_num_queries: Any,
) -> None:
    owner = login(Role.OWNER)
    first = case.history.order_by("history_id").first()
    new_passport = UploadedDocumentFactory.create(workspace=workspace, original_name="passport-renewed.png")
    _edit(
        case,
        owner,
        email="jane.smith@example.com",
        passport=str(new_passport.uuid),
        section_shareholders_items=[
            {"shareholder_name": "Bob", "shareholder_address": "9 New Street"},
            {"shareholder_name": "Sarah", "shareholder_address": "456 Oak Ave"},
            {"shareholder_name": "Tom", "shareholder_address": "1 Hill Rd"},
        ],
    )
    latest = case.history.order_by("-history_id").first()
    url = reverse("admin:submissions_submission_compare", args=[case.pk])

    with django_assert_max_num_queries(16):
        response = client.get(url, {"a": latest.snapshot_id, "b": first.snapshot_id})  # either order

    html = response.content.decode()
    assert response.status_code == 200
    assert "version 1 against version 2" in html
    rows = {line.label: line for line in response.context["comparison"].lines}
    assert (rows["Email"].before, rows["Email"].after, rows["Email"].change) == (
        "jane@example.com",
        "jane.smith@example.com",
        "changed",
    )
    assert (rows["Passport scan"].before, rows["Passport scan"].after) == ("passport-jane.png", "passport-renewed.png")
    assert rows["Shareholders · row 1"].change == "changed" and rows["Shareholders · row 2"].change == "unchanged"
    assert rows["Shareholders · row 3"].change == "added" and rows["Share allocation · row 3"].change == "added"
    changed_cells = [cell.label for cell in rows["Shareholders · row 1"].cells if cell.changed]
    assert changed_cells == ["Address"]
    assert rows["Full name"].change == "unchanged"
    assert "Roll back to v1" in html

    _edit(
        case,
        owner,
        section_shareholders_items=[{"shareholder_name": "Bob"}],
        share_allocation=[{"name": "Bob", "shares": 900, "class": "ordinary"}],
    )
    newest = case.history.order_by("-history_id").first()
    lines = client.get(url, {"a": latest.snapshot_id, "b": newest.snapshot_id}).context["comparison"].lines
    removed = [line.label for line in lines if line.change == "removed"]
    assert removed == [
        "Share allocation · row 2",
        "Share allocation · row 3",
        "Shareholders · row 2",
        "Shareholders · row 3",
    ]

    missing = client.get(url, {"a": "snap_nope", "b": first.snapshot_id}, follow=True)
    assert "Cannot compare" in messages_of(missing)


def test_an_owner_rolls_back_to_a_version(client: Client, login: Callable[..., Any], case: Submission) -> None:
    owner = login(Role.ADMIN)
    original_email = case.data["email"]
    _edit(case, owner, email="wrong@example.com")
    first = case.history.order_by("history_id").first()

    response = client.post(action_url(case, "rollback"), {"id": first.snapshot_id}, follow=True)

    assert "Rolled back to version 1" in messages_of(response)
    case.refresh_from_db()
    assert case.data["email"] == original_email and case.history.count() == 3
    assert case.history.first().history_change_reason == "rollback:1" and case.history.first().history_user == owner
    again = client.post(action_url(case, "rollback"), {"id": "snap_missing"}, follow=True)
    assert "No such snapshot" in messages_of(again) and case.history.count() == 3


def test_an_admin_manages_visibility_on_the_case(
    client: Client,
    login: Callable[..., Any],
    case: Submission,
    workspace: Workspace,
    other_workspace: Workspace,
    member_of: Callable[..., Any],
) -> None:
    login(Role.ADMIN)
    trusted = member_of(workspace, Role.MEMBER)
    OversightRelationship.objects.create(overseer=other_workspace, overseen=workspace, active=True)
    stranger = WorkspaceFactory.create()  # oversees nothing here: not offered, and refused if posted
    page = client.get(reverse("admin:submissions_submission_change", args=[case.pk])).content.decode()
    assert "Overseeing workspaces (read-only)" in page and other_workspace.name in page and stranger.name not in page

    refused = client.post(
        action_url(case, "visibility"),
        {"visibility_mode": "restricted", "overseers": [str(stranger.pk)]},
        follow=True,
    )
    assert "Select a valid choice" in messages_of(refused)
    case.refresh_from_db()
    assert case.visibility_mode != "restricted" and not case.grants.exists()  # nothing written

    response = client.post(
        action_url(case, "visibility"),
        {
            "visibility_mode": "restricted",
            "users": [str(trusted.pk)],
            "roles": ["ADMIN"],
            "overseers": [str(other_workspace.pk)],
        },
        follow=True,
    )
    assert "Visibility saved" in messages_of(response)
    case.refresh_from_db()
    assert case.visibility_mode == "restricted"
    assert {(g.target_type, g.target_user_id, g.target_role, g.target_workspace_id) for g in case.grants.all()} == {
        ("user", trusted.pk, "", None),
        ("workspace_role", None, "ADMIN", None),
        ("oversight_workspace", None, "", other_workspace.pk),
    }
    assert SubmissionEvent.objects.filter(submission=case, type=EventType.VISIBILITY_CHANGED).count() == 1

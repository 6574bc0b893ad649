"""Visibility: workspace vs restricted, grants to a user, a role, an overseer workspace; no leak anywhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from submissions.constants import VisibilityMode
from submissions.models import Submission
from submissions.services import visibility_set
from tests.documents.factories import UploadedDocumentFactory
from workspaces.constants import Role
from workspaces.models import OversightRelationship


def visible_ids(client: Any) -> set[str]:
    response = client.get(reverse("submission-list"), {"includeDrafts": "true", "limit": 100})
    assert response.status_code == 200
    return {s["id"] for s in response.json()["submissions"]}


def read_endpoints(submission_id: str, snapshot_id: str) -> list[str]:
    return [
        reverse("submission-detail", args=[submission_id]),
        reverse("submission-history", args=[submission_id]),
        reverse("submission-snapshot", args=[submission_id, snapshot_id]),
        reverse("submission-documents", args=[submission_id]),
        reverse("submission-notes", args=[submission_id]),
        reverse("submission-visibility", args=[submission_id]),
    ]


def write_calls(submission_id: str, snapshot_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("patch", reverse("submission-detail", args=[submission_id]), {"metadata": {"x": 1}}),
        ("delete", reverse("submission-detail", args=[submission_id]), None),
        ("post", reverse("submission-submit", args=[submission_id]), None),
        ("post", reverse("submission-notes", args=[submission_id]), {"content": "hi"}),
        ("post", reverse("submission-documents", args=[submission_id]), {"fileId": "x"}),
        ("delete", reverse("submission-documents", args=[submission_id]) + "?attachmentId=att_x", None),
        ("post", reverse("submission-share", args=[submission_id]), None),
        ("post", reverse("submission-share-email", args=[submission_id]), {"email": "a@b.co"}),
        ("post", reverse("submission-rollback", args=[submission_id, snapshot_id]), None),
        ("put", reverse("submission-visibility", args=[submission_id]), {"mode": "workspace"}),
    ]


def assert_hidden(client: Any, submission: Submission, *, manages_visibility: bool = False) -> None:
    """Not listed, not counted, and a 404 on every endpoint (but visibility's, for an ADMIN: see the README)."""
    snapshot_id = submission.history.first().snapshot_id
    visibility_url = reverse("submission-visibility", args=[submission.public_id])
    assert submission.public_id not in visible_ids(client)
    stats = client.get(reverse("submission-stats")).json()
    assert stats["total"] == 0, stats
    search = client.get(reverse("submission-list"), {"search": submission.public_id}).json()
    assert search["pagination"]["total"] == 0
    for url in read_endpoints(submission.public_id, snapshot_id):
        if manages_visibility and url == visibility_url:
            continue
        response = client.get(url)
        assert response.status_code == 404, url
        assert submission.public_id not in response.content.decode()
    for method, url, body in write_calls(submission.public_id, snapshot_id):
        if manages_visibility and url == visibility_url:
            continue
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 404, (method, url)


@pytest.fixture
def restricted(submission: Submission) -> Submission:
    visibility_set(submission=submission, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    return submission


def test_workspace_mode_is_visible_to_every_member(
    workspace: Any, member_of: Any, api_client_for: Any, submission: Submission
) -> None:
    for role in Role:
        client = api_client_for(workspace, user=member_of(workspace, role))
        assert visible_ids(client) == {submission.public_id}


def test_restricted_is_visible_to_owners_and_the_submitter_only(
    workspace: Any, member_of: Any, api_client_for: Any, form_version: Any, make_submission: Any
) -> None:
    submitter = member_of(workspace, Role.VIEWER)
    submission = make_submission(form_version, user=submitter)
    visibility_set(submission=submission, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    assert visible_ids(api_client_for(workspace, user=member_of(workspace, Role.OWNER))) == {submission.public_id}
    assert visible_ids(api_client_for(workspace, user=submitter)) == {submission.public_id}
    for role in (Role.MEMBER, Role.VIEWER):
        assert_hidden(api_client_for(workspace, user=member_of(workspace, role)), submission)
    assert_hidden(api_client_for(workspace, user=member_of(workspace, Role.ADMIN)), submission, manages_visibility=True)
    assert_hidden(api_client_for(workspace), submission, manages_visibility=True)  # an ADMIN API key on its own


@pytest.mark.parametrize("acting", ["admin member", "admin key", "owner"])
def test_an_admin_undoes_a_restriction_it_cannot_read(
    acting: str, workspace: Any, member_of: Any, api_client_for: Any, restricted: Submission
) -> None:
    """Issue 11: an ADMIN's API key got a 404 on a restricted submission and could not set it back."""
    if acting == "admin key":
        client = api_client_for(workspace)
    else:
        client = api_client_for(workspace, user=member_of(workspace, Role.OWNER if acting == "owner" else Role.ADMIN))
    url = reverse("submission-visibility", args=[restricted.public_id])

    settings_page = client.get(url)
    assert settings_page.status_code == 200
    assert settings_page.json()["visibility"]["mode"] == "restricted"
    assert "data" not in settings_page.json()  # the settings, not the submission's data
    assert client.put(url, {"mode": "workspace"}, format="json").status_code == 200

    restricted.refresh_from_db()
    assert restricted.visibility_mode == "workspace"
    assert restricted.public_id in visible_ids(api_client_for(workspace, user=member_of(workspace, Role.VIEWER)))


def test_a_member_cannot_reach_the_visibility_of_what_it_cannot_see(
    workspace: Any, member_of: Any, api_client_for: Any, restricted: Submission
) -> None:
    client = api_client_for(workspace, user=member_of(workspace, Role.MEMBER))
    url = reverse("submission-visibility", args=[restricted.public_id])
    assert client.get(url).status_code == 404
    assert client.put(url, {"mode": "workspace"}, format="json").status_code == 404
    restricted.refresh_from_db()
    assert restricted.visibility_mode == "restricted"


def test_user_grant(
    workspace: Any, member_of: Any, api_client_for: Any, owner_client: Any, restricted: Submission
) -> None:
    alice, bob = member_of(workspace, Role.VIEWER), member_of(workspace, Role.MEMBER)
    body = {
        "mode": "restricted",
        "grants": [{"targetType": "user", "targetId": str(alice.pk), "accessLevel": "viewer"}],
    }
    response = owner_client.put(reverse("submission-visibility", args=[restricted.public_id]), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["visibility"]["grants"] == [
        {"targetType": "user", "targetId": str(alice.pk), "accessLevel": "viewer"}
    ]
    assert visible_ids(api_client_for(workspace, user=alice)) == {restricted.public_id}
    assert_hidden(api_client_for(workspace, user=bob), restricted)


def test_role_grant(
    workspace: Any, member_of: Any, api_client_for: Any, owner_client: Any, restricted: Submission
) -> None:
    body = {
        "mode": "restricted",
        "grants": [{"targetType": "workspace_role", "targetId": "ADMIN", "accessLevel": "viewer"}],
    }
    assert (
        owner_client.put(reverse("submission-visibility", args=[restricted.public_id]), body, format="json").status_code
        == 200
    )
    assert visible_ids(api_client_for(workspace, user=member_of(workspace, Role.ADMIN))) == {restricted.public_id}
    assert visible_ids(api_client_for(workspace)) == {restricted.public_id}  # the key acts as ADMIN
    assert_hidden(api_client_for(workspace, user=member_of(workspace, Role.MEMBER)), restricted)


def test_oversight_grant_is_read_only(
    workspace: Any, other_workspace: Any, member_of: Any, api_client_for: Any, owner_client: Any, restricted: Submission
) -> None:
    inspector = member_of(other_workspace, Role.ADMIN, first_name="Inspector", last_name="Gadget")
    overseer_client = api_client_for(other_workspace, user=inspector)
    url = reverse("submission-visibility", args=[restricted.public_id])
    grant = {"targetType": "oversight_workspace", "targetId": str(other_workspace.public_id), "accessLevel": "viewer"}

    # No relationship yet: refused, nothing changes.
    response = owner_client.put(url, {"mode": "restricted", "grants": [grant]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "INVALID_GRANT"
    assert not restricted.grants.exists()
    relationship = OversightRelationship.objects.create(overseer=other_workspace, overseen=workspace, active=True)
    response = owner_client.put(url, {"mode": "restricted", "grants": [grant]}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["overseerWorkspaces"] == [
        {
            "workspaceId": str(other_workspace.public_id),
            "workspaceName": other_workspace.name,
            "members": [
                {"userId": str(inspector.pk), "name": "Inspector Gadget", "email": inspector.email, "role": "ADMIN"}
            ],
        }
    ]

    # The overseer sees it in its list and can read it, history and documents included...
    assert visible_ids(overseer_client) == {restricted.public_id}
    assert overseer_client.get(reverse("submission-detail", args=[restricted.public_id])).status_code == 200
    assert overseer_client.get(reverse("submission-history", args=[restricted.public_id])).status_code == 200
    assert overseer_client.get(reverse("submission-documents", args=[restricted.public_id])).status_code == 200
    assert overseer_client.get(reverse("submission-stats")).json()["total"] == 1
    # ...but changes nothing, and notes are for the workspace's own members.
    snapshot_id = restricted.history.first().snapshot_id
    for method, call_url, call_body in write_calls(restricted.public_id, snapshot_id):
        response = getattr(overseer_client, method)(call_url, call_body, format="json")
        assert response.status_code == 403, (method, call_url)
        assert response.json()["code"] == "READ_ONLY_ACCESS"
    assert overseer_client.get(reverse("submission-notes", args=[restricted.public_id])).status_code == 403
    assert Submission.objects.filter(pk=restricted.pk, metadata={}).exists()

    # An inactive relationship ends the access.
    relationship.active = False
    relationship.save()
    assert_hidden(overseer_client, restricted)


def test_visibility_update_needs_admin(
    workspace: Any, member_of: Any, api_client_for: Any, submission: Submission
) -> None:
    member = api_client_for(workspace, user=member_of(workspace, Role.MEMBER))
    url = reverse("submission-visibility", args=[submission.public_id])
    assert member.get(url).status_code == 200
    response = member.put(url, {"mode": "restricted"}, format="json")
    assert response.status_code == 403
    submission.refresh_from_db()
    assert submission.visibility_mode == "workspace"


@pytest.mark.parametrize(
    "grant",
    [
        {"targetType": "user", "targetId": "999999"},
        {"targetType": "workspace_role", "targetId": "KING"},
        {"targetType": "oversight_workspace", "targetId": "not-a-uuid"},
        {"targetType": "team", "targetId": "x"},
        {"targetType": "user", "targetId": "1", "accessLevel": "editor"},
    ],
)
def test_invalid_grants_are_refused(owner_client: Any, submission: Submission, grant: dict[str, Any]) -> None:
    url = reverse("submission-visibility", args=[submission.public_id])
    response = owner_client.put(url, {"mode": "restricted", "grants": [grant]}, format="json")
    assert response.status_code == 400 and response.json()["success"] is False
    submission.refresh_from_db()
    assert submission.visibility_mode == "workspace" and not submission.grants.exists()


def test_invalid_mode_is_refused(owner_client: Any, submission: Submission) -> None:
    response = owner_client.put(
        reverse("submission-visibility", args=[submission.public_id]), {"mode": "secret"}, format="json"
    )
    assert response.status_code == 400


def test_workspace_mode_drops_grants(owner_client: Any, workspace: Any, member_of: Any, restricted: Submission) -> None:
    url = reverse("submission-visibility", args=[restricted.public_id])
    owner_client.put(
        url, {"mode": "restricted", "grants": [{"targetType": "workspace_role", "targetId": "MEMBER"}]}, format="json"
    )
    body = owner_client.put(
        url, {"mode": "workspace", "grants": [{"targetType": "workspace_role", "targetId": "MEMBER"}]}, format="json"
    ).json()
    assert body["visibility"] == {"mode": "workspace", "grants": []}


def test_another_workspace_sees_nothing_anywhere(
    other_workspace: Any, member_of: Any, api_client_for: Any, submission: Submission
) -> None:
    UploadedDocumentFactory(workspace=submission.workspace)
    for role in Role:
        assert_hidden(api_client_for(other_workspace, user=member_of(other_workspace, role)), submission)
    assert_hidden(api_client_for(other_workspace, role=Role.OWNER), submission)


def test_the_seed_visibility_body(
    workspace: Any, other_workspace: Any, member_of: Any, api_client_for: Any, owner_client: Any, submission: Submission
) -> None:
    """PUT with the seed's body (a user and an overseer), then GET in the seed's shape."""
    jane = member_of(workspace, Role.ADMIN, first_name="Jane", last_name="Doe", email="jane@example.com")
    OversightRelationship.objects.create(overseer=other_workspace, overseen=workspace, active=True)
    body = {
        "mode": "restricted",
        "grants": [
            {"targetType": "user", "targetId": str(jane.pk), "accessLevel": "viewer"},
            {"targetType": "oversight_workspace", "targetId": str(other_workspace.public_id), "accessLevel": "viewer"},
        ],
    }
    url = reverse("submission-visibility", args=[submission.public_id])
    assert owner_client.put(url, body, format="json").status_code == 200
    got = owner_client.get(url).json()
    assert got["visibility"] == body
    assert {"userId": str(jane.pk), "name": "Jane Doe", "email": "jane@example.com", "role": "ADMIN"} in got["members"]
    assert got["overseerWorkspaces"][0]["workspaceId"] == str(other_workspace.public_id)
    assert got["overseerWorkspaces"][0]["workspaceName"] == other_workspace.name
    assert visible_ids(api_client_for(workspace, user=jane)) == {submission.public_id}
    assert visible_ids(api_client_for(other_workspace, user=member_of(other_workspace, Role.VIEWER))) == {
        submission.public_id
    }
    assert_hidden(api_client_for(workspace, user=member_of(workspace, Role.ADMIN)), submission, manages_visibility=True)

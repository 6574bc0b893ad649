"""Snapshots (versions, triggers, changelogs), GET snapshot, rollback and the history timeline."""

from __future__ import annotations

import copy
from typing import Any

from django.urls import reverse

from submissions.models import Submission
from tests.submissions.schemas import SEED_SUBMISSION_DATA
from workspaces.constants import Role


def history(client: Any, submission: Submission) -> list[dict[str, Any]]:
    response = client.get(reverse("submission-history", args=[submission.public_id]))
    assert response.status_code == 200
    return list(response.json()["events"])


def snapshot(client: Any, submission: Submission, snapshot_id: str) -> dict[str, Any]:
    response = client.get(reverse("submission-snapshot", args=[submission.public_id, snapshot_id]))
    assert response.status_code == 200, response.json()
    return dict(response.json())


def edited(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(SEED_SUBMISSION_DATA), **changes}


def test_versions_triggers_and_changelogs(
    owner_client: Any, owner: Any, form_version: Any, make_submission: Any
) -> None:
    draft = make_submission(form_version, data={"full_name": "Jane"}, status="DRAFT", acting_user=owner)
    url = reverse("submission-detail", args=[draft.public_id])
    owner_client.patch(
        reverse("draft-detail", args=[draft.public_id]), {"data": copy.deepcopy(SEED_SUBMISSION_DATA)}, format="json"
    )
    owner_client.post(reverse("submission-submit", args=[draft.public_id]))
    owner_client.patch(url, {"status": "COMPLETED"}, format="json")
    owner_client.patch(url, {"data": edited(full_name="Janet", email="janet@example.com")}, format="json")

    events = history(owner_client, draft)
    assert [(e["type"], e["trigger"], e["version"]) for e in events] == [
        ("snapshot", "edit", 5),
        ("snapshot", "status", 4),
        ("snapshot", "submit", 3),
        ("snapshot", "edit", 2),
        ("snapshot", "create", 1),
    ]
    newest = events[0]
    assert newest["description"] == "Submission data edited"
    # the owner acted through the workspace's key (X-USER-ID): the seed's actor, plus the key's name
    assert newest["actor"] == {"name": "Test " + owner.last_name, "email": owner.email, "apiKey": "test key"}
    assert newest["changelog"]["summary"] == "Updated 2 fields"
    assert newest["changelog"]["changedFields"] == ["email", "full_name"]
    assert newest["changelog"]["status"] == {"from": "COMPLETED", "to": "EDITED"}
    assert events[2]["description"] == "Submission submitted" and "changelog" not in events[2]
    assert events[4]["description"] == "Submission created"

    snap = snapshot(owner_client, draft, newest["snapshotId"])
    assert snap["version"] == 5 and snap["trigger"] == "edit" and snap["status"] == "EDITED"
    assert snap["changelog"]["summary"] == "Updated 2 fields"
    assert snap["data"]["full_name"] == "Janet"
    assert snap["createdBy"]["email"] == owner.email
    assert set(snap) == {"id", "version", "status", "trigger", "changelog", "data", "createdBy", "createdAt"}
    first = snapshot(owner_client, draft, events[4]["snapshotId"])
    assert first["data"] == {"full_name": "Jane"} and first["status"] == "DRAFT"


def test_a_save_that_changes_nothing_writes_no_snapshot(api_client: Any, submission: Submission) -> None:
    url = reverse("submission-detail", args=[submission.public_id])
    api_client.patch(url, {"data": copy.deepcopy(SEED_SUBMISSION_DATA), "status": "COMPLETED"}, format="json")
    api_client.patch(url, {"metadata": {"reviewedBy": "admin"}}, format="json")
    assert submission.history.count() == 1
    assert len(history(api_client, submission)) == 1
    submission.refresh_from_db()
    assert submission.metadata == {"reviewedBy": "admin"}


def test_rollback_restores_data_as_a_new_snapshot(owner_client: Any, submission: Submission) -> None:
    url = reverse("submission-detail", args=[submission.public_id])
    owner_client.patch(url, {"data": edited(full_name="Second")}, format="json")
    owner_client.patch(url, {"data": edited(full_name="Third")}, format="json")
    version_2 = [e for e in history(owner_client, submission) if e.get("version") == 2][0]

    response = owner_client.post(reverse("submission-rollback", args=[submission.public_id, version_2["snapshotId"]]))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["success"] is True and body["rolledBackToVersion"] == 2
    assert body["submission"]["id"] == submission.public_id
    assert body["submission"]["data"]["full_name"] == "Second"
    assert body["submission"]["status"] == "EDITED"
    assert set(body["submission"]) == {"id", "formId", "data", "status"}

    events = history(owner_client, submission)
    assert [e["version"] for e in events] == [4, 3, 2, 1]  # nothing deleted
    assert events[0]["trigger"] == "rollback" and events[0]["description"] == "Submission rolled back"
    assert events[0]["changelog"]["summary"].startswith("Rolled back to version 2")
    assert events[0]["changelog"]["changedFields"] == ["full_name"]


def test_rollback_needs_admin_or_owner(
    workspace: Any, member_of: Any, api_client_for: Any, submission: Submission
) -> None:
    snapshot_id = submission.history.get().snapshot_id
    url = reverse("submission-rollback", args=[submission.public_id, snapshot_id])
    for role in (Role.MEMBER, Role.VIEWER):
        client = api_client_for(workspace, user=member_of(workspace, role))
        response = client.post(url)
        assert response.status_code == 403 and response.json()["code"] == "INSUFFICIENT_ROLE"
    for role in (Role.ADMIN, Role.OWNER):
        client = api_client_for(workspace, user=member_of(workspace, role))
        assert client.post(url).status_code == 200
    assert submission.history.count() == 1  # rolling back to the same data writes nothing


def test_unknown_snapshot_is_a_404(
    api_client: Any, submission: Submission, make_submission: Any, form_version: Any
) -> None:
    other = make_submission(form_version)
    other_snapshot = other.history.get().snapshot_id
    response = api_client.get(reverse("submission-snapshot", args=[submission.public_id, other_snapshot]))
    assert response.status_code == 404 and response.json()["code"] == "SNAPSHOT_NOT_FOUND"
    response = api_client.post(reverse("submission-rollback", args=[submission.public_id, "snap_nope"]))
    assert response.status_code == 404


def test_history_merges_audit_events_newest_first(
    api_client: Any, owner_client: Any, workspace: Any, submission: Submission, member_of: Any
) -> None:
    owner_client.post(
        reverse("submission-notes", args=[submission.public_id]),
        {"content": "Followed up with client via email"},
        format="json",
    )
    owner_client.patch(
        reverse("submission-detail", args=[submission.public_id]),
        {"userId": str(member_of(workspace).pk)},
        format="json",
    )
    owner_client.post(reverse("submission-share", args=[submission.public_id]))
    owner_client.put(
        reverse("submission-visibility", args=[submission.public_id]),
        {"mode": "restricted", "grants": []},
        format="json",
    )
    events = history(owner_client, submission)
    assert [e["type"] for e in events] == ["visibility_changed", "shared", "reassigned", "note_added", "snapshot"]
    assert all(e["actor"]["name"] for e in events)
    assert events[3]["description"] == "Note added"


def test_history_is_capped_at_100(api_client: Any, submission: Submission) -> None:
    url = reverse("submission-notes", args=[submission.public_id])
    for n in range(101):
        api_client.post(url, {"content": f"note {n}"}, format="json")
    events = history(api_client, submission)
    assert len(events) == 100 and events[-1]["type"] == "note_added"

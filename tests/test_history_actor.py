"""Who made a change, when an API key made it: the key's name in the history, through the API and in the admin."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from submissions.models import Submission
from submissions.services import form_create, form_publish, submission_create
from tests.workflows.factories import SubjectRecordFactory
from workflows.models import SubjectRecord, Workflow
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

SCHEMA = {"fields": [{"key": "full_name", "label": "Full name", "type": "text", "required": True}]}
KEY = {"name": "API key test key", "apiKey": "test key"}  # api_client_for names its key "test key"


def _published_form(workspace: Workspace) -> Any:
    form = form_create(workspace=workspace, title="Intake", schema=SCHEMA, acting_user=None)
    return form_publish(form=form, acting_user=None)


def _create_and_edit(client: APIClient, workspace: Workspace) -> str:
    """A submission created and then edited through ``client``; its public id."""
    version = _published_form(workspace)
    created = client.post(
        reverse("submission-list"),
        {"formId": version.form.public_id, "data": {"full_name": "Jane Smith"}},
        format="json",
    )
    assert created.status_code == 201, created.content
    submission_id = created.json()["id"]
    edited = client.patch(
        reverse("submission-detail", args=[submission_id]), {"data": {"full_name": "Jane Doe"}}, format="json"
    )
    assert edited.status_code == 200, edited.content
    return str(submission_id)


def test_an_api_keys_snapshots_name_the_key(api_client: APIClient, workspace: Workspace) -> None:
    submission_id = _create_and_edit(api_client, workspace)

    events = api_client.get(reverse("submission-history", args=[submission_id])).json()["events"]
    snapshots = [event for event in events if event["type"] == "snapshot"]
    assert [event["trigger"] for event in snapshots] == ["edit", "create"]
    assert all(event["actor"] == KEY for event in snapshots)
    snapshot = api_client.get(reverse("submission-snapshot", args=[submission_id, snapshots[0]["snapshotId"]]))
    assert snapshot.json()["createdBy"] == KEY


def test_a_member_acting_through_a_key_is_named_with_the_key(
    workspace: Workspace, member_of: Callable[..., Any], api_client_for: Callable[..., APIClient]
) -> None:
    member = member_of(workspace, Role.MEMBER, first_name="Jane", last_name="Reviewer", email="jane@example.com")
    submission_id = _create_and_edit(api_client_for(workspace, user=member), workspace)

    events = api_client_for(workspace).get(reverse("submission-history", args=[submission_id])).json()["events"]
    assert {"name": "Jane Reviewer", "email": "jane@example.com", "apiKey": "test key"} in [e["actor"] for e in events]


def test_a_session_write_records_its_user_and_no_key(
    client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    owner = member_of(workspace, Role.OWNER, is_staff=True)
    client.force_login(owner)
    version = _published_form(workspace)
    created = client.post(
        reverse("submission-list"),
        {"formId": version.form.public_id, "data": {"full_name": "Jane Smith"}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content

    record = Submission.objects.get(public_id=created.json()["id"]).history.get()
    assert (record.history_user, record.history_api_key) == (owner, "")


def test_the_admin_history_page_says_which_key_changed_it(
    api_client: APIClient,
    client: Client,
    workspace: Workspace,
    member_of: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    """A client record the key created (with its workflow): its history page names the key, not "None"."""
    record = SubjectRecord.objects.get(pk=_workflow_by_key(api_client).subject_record_id)
    client.force_login(member_of(workspace, Role.OWNER, is_staff=True))

    with django_assert_max_num_queries(20):
        page = client.get(reverse("admin:workflows_subjectrecord_history", args=[record.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    # the one row, its creation: "Changed by" names the key where simple-history's own list says "None"
    assert re.search(r"<td>\s*Created\s*</td>\s*<td>\s*API key test key\s*</td>", html)


def _workflow_by_key(client: APIClient) -> Workflow:
    body = {"type": "BUSINESS_APPLICATION", "subject_record": {"customer_type": "company", "reference": "ACME-1"}}
    response = client.post(reverse("workflow-create"), body, format="json")
    assert response.status_code == 201, response.content
    return Workflow.objects.get(public_id=response.json()["data"]["workflow"]["workflow_id"])


def test_rows_written_by_save_and_in_bulk_both_carry_the_key(api_client: APIClient, workspace: Workspace) -> None:
    """workflow.create saves the workflow (simple-history's own row) and its new record; both name the key."""
    workflow = _workflow_by_key(api_client)

    assert [row.history_api_key for row in workflow.history.all()] == ["test key"]
    record = SubjectRecord.objects.get(pk=workflow.subject_record_id)
    assert [row.history_api_key for row in record.history.all()] == ["test key"]


def test_a_snapshot_by_neither_a_user_nor_a_key_says_system_and_a_keys_keep_its_name(
    api_client: APIClient, client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    """The case page's versions and timeline, and the history endpoint, name the writer by one rule
    (``config.actors.written_by``): a command's write (here ``submission_create`` as seed_demo calls it) is "System"."""
    version = _published_form(workspace)
    submission = submission_create(
        workspace=workspace, form_version=version, data={"full_name": "Jane Smith"}, acting_user=None
    )
    edited = api_client.patch(
        reverse("submission-detail", args=[submission.public_id]), {"data": {"full_name": "Jane Doe"}}, format="json"
    )
    noted = api_client.post(reverse("submission-notes", args=[submission.public_id]), {"content": "ok"}, format="json")
    assert (edited.status_code, noted.status_code) == (200, 201)
    client.force_login(member_of(workspace, Role.OWNER, is_staff=True))

    html = client.get(reverse("admin:submissions_submission_history", args=[submission.pk])).content.decode()

    versions = re.findall(r"<td>v(\d)</td>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>", html)
    assert versions == [("2", "API key test key"), ("1", "System")]
    # simple-history's own list (any other model) says the same where it said "None"
    record = SubjectRecordFactory.create(workspace=workspace)  # saved outside a request, as a command saves
    record_page = client.get(reverse("admin:workflows_subjectrecord_history", args=[record.pk])).content.decode()
    assert re.search(r"<td>\s*Created\s*</td>\s*<td>\s*System\s*</td>", record_page)
    timeline = re.findall(r"<span>([^<]*?)(?: \(v\d\))? <small class=\"muted\">by ([^<]*)</small>", html)
    assert timeline == [
        ("Note added", "API key test key"),
        ("Submission data edited", "API key test key"),
        ("Submission created", "System"),
    ]
    events = api_client.get(reverse("submission-history", args=[submission.public_id])).json()["events"]
    assert [event["actor"] for event in events] == [KEY, KEY, {"name": "System"}]

"""GET /api/evidence-packs: the packs a caller may follow, newest first, paged; never another workspace's, never
those of a submission it may not see; bad parameters a 400 with the standard body."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from evidence.constants import PackState
from evidence.models import EvidencePack
from submissions.constants import VisibilityMode
from submissions.models import Submission
from submissions.services import form_create, form_publish, submission_create, visibility_set
from tests.submissions.schemas import SEED_FORM_SCHEMA, SEED_SUBMISSION_DATA
from tests.workflows.factories import WorkflowFactory
from workspaces.constants import Role
from workspaces.models import Workspace

LIST = reverse("evidence-pack-list")


def a_submission(workspace: Workspace) -> Submission:
    form = form_create(
        workspace=workspace, title="Onboarding", schema=copy.deepcopy(SEED_FORM_SCHEMA), acting_user=None
    )
    version = form_publish(form=form, acting_user=None)
    return submission_create(
        workspace=workspace, form_version=version, data=copy.deepcopy(SEED_SUBMISSION_DATA), acting_user=None
    )


def ask(client: APIClient, route: str, subject_id: str) -> str:
    """Ask for a pack (the test runs no worker: it stays QUEUED); its id."""
    response = client.post(reverse(route, args=[subject_id]))
    assert response.status_code == 202, response.content
    return str(response.json()["id"])


def ask_workflow_pack(client: APIClient, workspace: Workspace) -> str:
    workflow = WorkflowFactory.create(workspace=workspace, subject_record__workspace=workspace)
    return ask(client, "workflow-evidence-pack-create", workflow.public_id)


@pytest.fixture
def reviewer_client(workspace: Workspace, member_of: Callable[..., Any], api_client_for: Callable[..., Any]) -> Any:
    return api_client_for(workspace, user=member_of(workspace, Role.MEMBER))


def test_the_list_is_newest_first_and_pages_on_with_before_id(
    reviewer_client: APIClient, workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    first, second, third = (ask_workflow_pack(reviewer_client, workspace) for _ in range(3))
    with django_assert_max_num_queries(8):
        page = reviewer_client.get(LIST, {"limit": 2})
    assert page.status_code == 200, page.content
    body = page.json()
    assert [pack["id"] for pack in body["packs"]] == [third, second]
    assert body["packs"][0]["state"] == "QUEUED" and body["packs"][0]["subjectType"] == "workflow"
    assert body["packs"][0]["expiresAt"] is None
    assert body["nextBeforeId"] is not None
    rest = reviewer_client.get(LIST, {"limit": 2, "beforeId": body["nextBeforeId"]}).json()
    assert [pack["id"] for pack in rest["packs"]] == [first] and rest["nextBeforeId"] is None
    everything = reviewer_client.get(LIST).json()
    assert [pack["id"] for pack in everything["packs"]] == [third, second, first]


def test_filters_by_state_subject_type_and_subject(reviewer_client: APIClient, workspace: Workspace) -> None:
    workflow_pack = ask_workflow_pack(reviewer_client, workspace)
    submission = a_submission(workspace)
    submission_pack = ask(reviewer_client, "submission-evidence-pack-create", submission.public_id)
    EvidencePack.objects.filter(public_id=workflow_pack).update(state=PackState.FAILED, error="S3 was down")

    def ids(**query: str) -> list[str]:
        response = reviewer_client.get(LIST, query)
        assert response.status_code == 200, response.content
        return [pack["id"] for pack in response.json()["packs"]]

    assert ids(state="FAILED") == [workflow_pack]
    assert ids(state="QUEUED") == [submission_pack]
    assert ids(subjectType="submission") == [submission_pack]
    assert ids(subjectId=submission.public_id) == [submission_pack]
    assert ids(subjectId="SUB-NOSUCHTHING00") == []


def test_another_workspaces_packs_are_never_listed(
    reviewer_client: APIClient,
    workspace: Workspace,
    other_workspace: Workspace,
    member_of: Callable[..., Any],
    api_client_for: Callable[..., Any],
) -> None:
    ours = ask_workflow_pack(reviewer_client, workspace)
    stranger = api_client_for(other_workspace, user=member_of(other_workspace, Role.OWNER))
    theirs = ask_workflow_pack(stranger, other_workspace)
    assert [pack["id"] for pack in reviewer_client.get(LIST).json()["packs"]] == [ours]
    assert [pack["id"] for pack in stranger.get(LIST).json()["packs"]] == [theirs]
    # Not by naming the other workspace's subject either.
    other_subject = EvidencePack.objects.get(public_id=theirs).subject_id
    assert reviewer_client.get(LIST, {"subjectId": other_subject}).json()["packs"] == []


def test_a_restricted_submissions_packs_are_listed_only_to_who_may_see_it(
    workspace: Workspace, member_of: Callable[..., Any], api_client_for: Callable[..., Any], owner: Any
) -> None:
    submitter = member_of(workspace, Role.MEMBER)
    submitter_client = api_client_for(workspace, user=submitter)
    submission = a_submission(workspace)
    pack = ask(submitter_client, "submission-evidence-pack-create", submission.public_id)
    visibility_set(submission=submission, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    outsider = api_client_for(workspace, user=member_of(workspace, Role.ADMIN))
    assert outsider.get(LIST).json()["packs"] == []
    assert outsider.get(LIST, {"subjectId": submission.public_id}).json()["packs"] == []
    owner_client = api_client_for(workspace, user=owner)
    assert [p["id"] for p in owner_client.get(LIST).json()["packs"]] == [pack]  # an OWNER sees every submission


def test_a_viewer_is_refused(workspace: Workspace, member_of: Callable[..., Any], api_client_for: Any) -> None:
    viewer = api_client_for(workspace, user=member_of(workspace, Role.VIEWER))
    response = viewer.get(LIST)
    assert response.status_code == 403 and response.json()["code"] == "INSUFFICIENT_ROLE"


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": "201"},
        {"limit": "ten"},
        {"limit": ""},
        {"beforeId": "0"},
        {"beforeId": "-4"},
        {"beforeId": str(2**63)},
        {"state": "DONE"},
        {"state": ""},
        {"subjectType": "matter"},
        {"subjectId": "x" * 65},
    ],
)
def test_bad_parameters_are_a_400_with_the_standard_body(reviewer_client: APIClient, query: dict[str, str]) -> None:
    response = reviewer_client.get(LIST, query)
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"success", "error", "code", "details"}
    assert (
        body["success"] is False and body["code"] == "VALIDATION_ERROR" and set(body["details"]["fields"]) == set(query)
    )

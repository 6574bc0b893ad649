"""Evidence packs in the admin: the button on the workflow page and the case page, the pack's status page, the
downloads (audited), and who sees what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from audit.constants import AuditAction
from audit.models import AuditEvent
from evidence.models import EvidencePack
from submissions.constants import VisibilityMode
from submissions.services import visibility_set
from tests.evidence.support import ReviewedWorkflow, pdf_text, reviewed_workflow
from workspaces.constants import Role
from workspaces.models import Workspace

BUTTON = "Generate evidence pack"


@pytest.fixture
def reviewer(workspace: Workspace, member_of: Callable[..., Any]) -> Any:
    return member_of(workspace, Role.MEMBER, first_name="Rita", last_name="Reviewer", is_staff=True)


@pytest.fixture
def reviewed(workspace: Workspace, owner: Any, reviewer: Any) -> ReviewedWorkflow:
    return reviewed_workflow(workspace, owner=owner, reviewer=reviewer)


def test_a_member_generates_a_workflow_pack_from_its_page_and_downloads_it(
    client: Client,
    reviewer: Any,
    reviewed: ReviewedWorkflow,
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(reviewer)
    workflow_page = reverse("admin:workflows_workflow_change", args=[reviewed.workflow.pk])
    with django_assert_max_num_queries(45):
        assert BUTTON in client.get(workflow_page).content.decode()
    request_url = reverse("admin:evidence_evidencepack_request")
    assert client.get(request_url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(request_url, {"subject_type": "workflow", "object_id": reviewed.workflow.pk})
    pack = EvidencePack.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:evidence_evidencepack_change", args=[pack.pk]
    )
    with django_assert_max_num_queries(15):
        status = client.get(response["Location"]).content.decode()
    assert "Ready" in status and "Download the PDF" in status and pack.pdf_sha256 in status
    assert "(ready)" in client.get(workflow_page).content.decode()  # the page lists its recent packs

    download = client.get(reverse("admin:evidence_evidencepack_download", args=[pack.pk]) + "?format=pdf")
    assert download.status_code == 302
    assert "Northwind Trading Ltd" in pdf_text(requests.get(download["Location"], timeout=10).content)
    assert AuditEvent.objects.filter(
        action=AuditAction.EVIDENCE_PACK_DOWNLOADED, target_id=pack.public_id, actor_user_id=reviewer.pk
    ).exists()
    with django_assert_max_num_queries(15):
        listing = client.get(reverse("admin:evidence_evidencepack_changelist")).content.decode()
    assert pack.public_id in listing


def test_the_case_page_offers_the_submission_pack(
    client: Client, reviewer: Any, reviewed: ReviewedWorkflow, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(reviewer)
    submission = reviewed.submission
    assert BUTTON in client.get(reverse("admin:submissions_submission_change", args=[submission.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:evidence_evidencepack_request"), {"subject_type": "submission", "object_id": submission.pk}
        )
    pack = EvidencePack.objects.get()
    assert pack.submission == submission and pack.state == "READY"


def test_a_viewer_sees_no_button_and_is_refused_in_words(
    client: Client, workspace: Workspace, member_of: Callable[..., Any], reviewed: ReviewedWorkflow
) -> None:
    viewer = member_of(workspace, Role.VIEWER, is_staff=True)
    client.force_login(viewer)
    page = client.get(reverse("admin:workflows_workflow_change", args=[reviewed.workflow.pk]))
    assert page.status_code == 200 and BUTTON not in page.content.decode()
    response = client.post(
        reverse("admin:evidence_evidencepack_request"), {"subject_type": "workflow", "object_id": reviewed.workflow.pk}
    )
    assert response.status_code == 302
    assert any("MEMBER" in str(m) or "Member" in str(m) for m in get_messages(response.wsgi_request))
    assert not EvidencePack.objects.exists()


def test_a_pack_of_a_submission_restricted_from_a_member_is_not_theirs(
    client: Client,
    workspace: Workspace,
    member_of: Callable[..., Any],
    reviewer: Any,
    reviewed: ReviewedWorkflow,
    other_workspace: Workspace,
) -> None:
    client.force_login(reviewer)
    ask = {"subject_type": "submission", "object_id": reviewed.submission.pk}
    client.post(reverse("admin:evidence_evidencepack_request"), ask)
    pack = EvidencePack.objects.get()
    visibility_set(submission=reviewed.submission, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    for user in (
        member_of(workspace, Role.MEMBER, is_staff=True),
        member_of(other_workspace, Role.OWNER, is_staff=True),
    ):
        client.force_login(user)
        assert pack.public_id not in client.get(reverse("admin:evidence_evidencepack_changelist")).content.decode()
        status = client.get(reverse("admin:evidence_evidencepack_change", args=[pack.pk]))
        assert status.status_code == 302  # "does not exist", as the admin answers for a row out of scope
        download = client.get(reverse("admin:evidence_evidencepack_download", args=[pack.pk]) + "?format=pdf")
        assert download.status_code == 302 and "X-Amz-Signature" not in download["Location"]
        assert client.post(reverse("admin:evidence_evidencepack_request"), ask).status_code == 302
    assert EvidencePack.objects.count() == 1

"""Revoking a public action: the admin says Revoked (not Expired), the client's page says the link was withdrawn,
and the API refuses the token as it refuses an expired one, writing nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from documents.models import Document
from submissions.models import Submission
from tests.workflows.public_action_support import SEED_ROOT_BODY, confirm_url, make_action, submit_url
from workflows.constants import PublicActionStatus, WorkflowStatus
from workflows.models import PublicAction, PublicActionFile, SubjectRecord
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(workspace: Workspace, member_of: Callable[..., Any]) -> Any:
    user = member_of(workspace, Role.MEMBER, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_publicaction", "change_publicaction"]))
    return user


def _revoke_on_workflow_page(client: Client, action: PublicAction) -> str:
    url = reverse("admin:workflows_workflow_revoke", args=[action.workflow_id])
    client.post(url, {"public_id": action.public_id})
    return client.get(reverse("admin:workflows_workflow_change", args=[action.workflow_id])).content.decode()


def test_revoking_in_the_admin_says_revoked_and_changes_nothing_else(
    client: Client, workspace: Workspace, reviewer: Any
) -> None:
    action, _ = make_action(workspace)
    client.force_login(reviewer)

    page = _revoke_on_workflow_page(client, action)

    row = page.split(f'data-link="{action.public_id}"', 1)[1].split("</tr>", 1)[0]
    assert row.startswith(' data-state="Revoked"')
    assert "Revoke</button>" not in row  # nothing left to revoke
    action.refresh_from_db()
    assert action.state == "Revoked" and action.revoked_at is not None
    assert action.expires_at == action.revoked_at  # readers of expires_at (the API) see it ended
    assert action.status == PublicActionStatus.OPEN and action.submission_id is None
    assert action.workflow.status == WorkflowStatus.WAITING_FOR_CLIENT
    latest = action.history.latest()
    assert latest.history_user == reviewer and latest.revoked_at == action.revoked_at

    revoked_at = action.revoked_at
    _revoke_on_workflow_page(client, action)  # a second revoke changes nothing
    action.refresh_from_db()
    assert action.revoked_at == revoked_at and action.history.count() == 2


def test_the_changelist_action_revokes_and_the_list_says_so(
    client: Client, workspace: Workspace, reviewer: Any
) -> None:
    action, _ = make_action(workspace)
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:workflows_publicaction_changelist"),
        {"action": "expire_links", "_selected_action": [action.pk]},
        follow=True,
    )

    assert "1 link(s) revoked." in response.content.decode()
    assert '<td class="field-state">Revoked</td>' in response.content.decode()


def test_expired_and_completed_links_keep_their_state_when_revoked(
    client: Client, workspace: Workspace, reviewer: Any
) -> None:
    expired, _ = make_action(workspace)
    PublicAction.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    completed, _ = make_action(workspace)
    PublicAction.objects.filter(pk=completed.pk).update(status=PublicActionStatus.COMPLETED)
    client.force_login(reviewer)

    assert 'data-state="Expired"' in _revoke_on_workflow_page(client, expired)
    assert 'data-state="Completed"' in _revoke_on_workflow_page(client, completed)
    assert not PublicAction.objects.filter(revoked_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "This link was withdrawn by its sender."), ("de", "Dieser Link wurde vom Absender zurückgezogen.")],
)
def test_the_page_of_a_revoked_link_says_it_was_withdrawn(
    client: Client, workspace: Workspace, reviewer: Any, language: str, words: str
) -> None:
    action, token = make_action(workspace)
    client.force_login(reviewer)
    _revoke_on_workflow_page(client, action)

    response = Client().get(reverse("public-action-page", args=[token]), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    html = response.content.decode()
    assert words in html
    assert workspace.name not in html and action.form_version.form.title not in html
    assert 'id="action-form"' not in html


def _written() -> dict[str, Any]:
    return {
        "records": list(SubjectRecord.objects.order_by("pk").values_list("pk", "data")),
        "documents": Document.objects.count(),
        "files": PublicActionFile.objects.count(),
        "submissions": Submission.objects.count(),
        "actions": list(PublicAction.objects.order_by("pk").values_list("status", "submitted_at")),
    }


def test_a_revoked_token_is_refused_on_the_api_and_writes_nothing(
    client: Client, workspace: Workspace, reviewer: Any
) -> None:
    action, token = make_action(workspace)
    client.force_login(reviewer)
    _revoke_on_workflow_page(client, action)
    before = _written()

    submitted = APIClient().post(submit_url(token), SEED_ROOT_BODY, format="json")
    confirmed = APIClient().post(confirm_url(token))

    for response in (submitted, confirmed):
        assert response.status_code == 401  # as an expired token: the contract has no code of its own for it
        assert response.json() == {
            "success": False,
            "error": "This link was withdrawn by its sender.",
            "code": "INVALID_TOKEN",
            "details": {},
        }
    assert _written() == before

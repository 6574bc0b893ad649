"""Creating and listing links (API key API), the end-client page, and the admin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.workflows.factories import SubjectRecordFactory, WorkflowFactory
from tests.workflows.public_action_support import (
    COMPANY_SCHEMA,
    INDIVIDUAL_SCHEMA,
    ROOT_SCHEMA,
    SEED_COMBINED_BODY,
    SEED_ROOT_BODY,
    form_version,
    make_action,
    submit_url,
    upload_all,
)
from workflows.constants import PublicActionStatus, WorkflowStatus
from workflows.models import PublicAction
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

CREATE_URL = "/workflow.publicAction.create"
LIST_URL = "/workflow.publicAction.list"


def _workflow(workspace: Workspace, **kwargs: Any) -> Any:
    return WorkflowFactory(subject_record=SubjectRecordFactory(workspace=workspace), **kwargs)


def test_create_link_through_the_api_and_submit_with_it(api_client: APIClient, workspace: Workspace) -> None:
    workflow = _workflow(workspace)
    root = form_version(workspace, ROOT_SCHEMA, "root")
    person = form_version(workspace, INDIVIDUAL_SCHEMA, "person")

    response = api_client.post(
        reverse("public-action-create"),
        {
            "workflow_id": workflow.public_id,
            "form_version_id": root.public_id,
            "individual_form_version_id": person.public_id,
            "expires_in_days": 3,
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    created = response.json()["public_action"]
    assert created["public_action_id"].startswith("pa_")
    assert created["workflow_id"] == workflow.public_id
    assert created["status"] == "OPEN"
    token = created["token"]
    assert created["url"] == f"http://testserver/actions/{token}"
    action = PublicAction.objects.get()
    assert action.individual_form_version == person
    assert action.company_form_version is None
    assert timedelta(days=3) - (action.expires_at - timezone.now()) < timedelta(minutes=1)
    workflow.refresh_from_db()
    assert workflow.status == WorkflowStatus.WAITING_FOR_CLIENT

    submitted = APIClient().post(submit_url(token), {"first_name": "Ann"}, format="json")
    assert submitted.json() == {"status": "completed"}
    # Companies were not asked for: a company entity is refused.
    _, token2 = make_action(workspace)
    PublicAction.objects.filter(token_hint=token2[:6]).update(company_form_version=None)
    refused = APIClient().post(
        submit_url(token2),
        {"role-entity": [{"reference": "c", "customer_type": "company", "company_name": "C"}]},
        format="json",
    )
    assert refused.status_code == 400
    assert "role-entity[0].customer_type" in refused.json()["details"]["fields"]


def test_create_refuses_another_workspaces_workflow_and_form(
    api_client: APIClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    mine = _workflow(workspace)
    theirs = _workflow(other_workspace)
    my_form = form_version(workspace, ROOT_SCHEMA, "root")
    their_form = form_version(other_workspace, ROOT_SCHEMA, "root")

    foreign_workflow = api_client.post(
        CREATE_URL, {"workflow_id": theirs.public_id, "form_version_id": my_form.public_id}, format="json"
    )
    foreign_form = api_client.post(
        CREATE_URL, {"workflow_id": mine.public_id, "form_version_id": their_form.public_id}, format="json"
    )
    foreign_entity_form = api_client.post(
        CREATE_URL,
        {
            "workflow_id": mine.public_id,
            "form_version_id": my_form.public_id,
            "company_form_version_id": their_form.public_id,
        },
        format="json",
    )

    assert foreign_workflow.status_code == 404
    assert foreign_workflow.json()["code"] == "WORKFLOW_NOT_FOUND"
    assert foreign_form.status_code == 404
    assert foreign_entity_form.status_code == 404
    assert foreign_form.json()["code"] == "FORM_VERSION_NOT_FOUND"
    assert not PublicAction.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"workflow_id": "w_missing", "form_version_id": "x"},
        {"workflow_id": "WORKFLOW", "form_version_id": "FORM", "expires_in_days": 0},
        {"workflow_id": "WORKFLOW", "form_version_id": "FORM", "expires_in_days": 91},
    ],
)
def test_create_with_bad_input_is_4xx(api_client: APIClient, workspace: Workspace, body: dict[str, Any]) -> None:
    workflow = _workflow(workspace)
    version = form_version(workspace, ROOT_SCHEMA, "root")
    body = {k: {"WORKFLOW": workflow.public_id, "FORM": version.public_id}.get(v, v) for k, v in body.items()}

    response = api_client.post(CREATE_URL, body, format="json")

    assert response.status_code in (400, 404)
    assert response.json()["success"] is False
    assert not PublicAction.objects.exists()


def test_create_on_a_closed_workflow_is_refused(api_client: APIClient, workspace: Workspace) -> None:
    workflow = _workflow(workspace, status=WorkflowStatus.CANCELLED)
    version = form_version(workspace, ROOT_SCHEMA, "root")

    response = api_client.post(
        CREATE_URL, {"workflow_id": workflow.public_id, "form_version_id": version.public_id}, format="json"
    )

    assert response.status_code == 409
    assert not PublicAction.objects.exists()


def test_a_closed_workflow_makes_its_links_invalid(workspace: Workspace) -> None:
    action, token = make_action(workspace)
    action.workflow.status = WorkflowStatus.CANCELLED
    action.workflow.save()

    response = APIClient().post(submit_url(token), SEED_ROOT_BODY, format="json")

    assert response.status_code == 401


def test_create_needs_credentials_and_a_member_role(
    workspace: Workspace, api_client_for: Callable[..., APIClient], member_of: Callable[..., Any]
) -> None:
    workflow = _workflow(workspace)
    version = form_version(workspace, ROOT_SCHEMA, "root")
    body = {"workflow_id": workflow.public_id, "form_version_id": version.public_id}
    viewer = member_of(workspace, Role.VIEWER)

    anonymous = APIClient().post(CREATE_URL, body, format="json")
    as_viewer = api_client_for(workspace, user=viewer).post(CREATE_URL, body, format="json")
    as_member = api_client_for(workspace, user=member_of(workspace, Role.MEMBER)).post(CREATE_URL, body, format="json")

    assert anonymous.status_code in (401, 403)
    assert as_viewer.status_code == 403
    assert as_member.status_code == 200
    assert PublicAction.objects.count() == 1
    assert PublicAction.objects.get().created_by is not None


def test_list_shows_the_workspaces_links_without_tokens(
    api_client: APIClient,
    workspace: Workspace,
    other_workspace: Workspace,
    django_assert_max_num_queries: Any,
) -> None:
    actions = [make_action(workspace)[0] for _ in range(5)]
    make_action(other_workspace)

    with django_assert_max_num_queries(6):
        response = api_client.post(LIST_URL, {}, format="json")

    assert response.status_code == 200
    listed = response.json()["public_actions"]
    assert {item["public_action_id"] for item in listed} == {a.public_id for a in actions}
    assert all("token" not in item for item in listed)

    one = api_client.post(LIST_URL, {"workflow_id": actions[0].workflow.public_id}, format="json").json()
    assert [item["public_action_id"] for item in one["public_actions"]] == [actions[0].public_id]
    foreign = PublicAction.objects.get(workspace=other_workspace).workflow.public_id
    assert api_client.post(LIST_URL, {"workflow_id": foreign}, format="json").status_code == 404


# --- The end-client page -------------------------------------------------------------------------


def test_page_renders_the_form_of_a_valid_link(workspace: Workspace) -> None:
    _, token = make_action(workspace)

    response = Client().get(reverse("public-action-page", args=[token]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="action-form"' in html
    # The upload as the seed's helper does it (every presigned field, then the file last), in the end-client pages'
    # shared script file (the CSP allows no inline script); an XMLHttpRequest, as fetch reports no upload progress.
    assert '<script src="/static/js/public_action.js"></script>' in html
    assert '<script src="/static/js/endclient.js"></script>' in html
    script = Path(finders.find("js/endclient.js")).read_text()  # type: ignore[arg-type]
    fields_first = script.index("Object.entries(fileUpload.fields).forEach(([key, value]) => data.append(key, value));")
    assert fields_first < script.index('data.append("file", file, fileUpload.fileName);')
    assert f"/v3/public/actions/{token}" in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Add a company" in html and "Add a person" in html


def test_page_of_a_completed_link_says_thank_you(workspace: Workspace, tmp_path: Path) -> None:
    action, token = make_action(workspace)
    uploads = APIClient().post(submit_url(token), SEED_ROOT_BODY, format="json").json()["fileUploads"]
    upload_all(uploads, tmp_path)
    assert APIClient().post(reverse("public-action-confirm", args=[token])).status_code == 200

    response = Client().get(reverse("public-action-page", args=[token]))

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert 'id="action-form"' not in response.content.decode()


@pytest.mark.parametrize("expired", [True, False])
def test_page_of_an_unknown_or_expired_link_is_404(workspace: Workspace, expired: bool) -> None:
    action, token = make_action(workspace)
    if expired:
        PublicAction.objects.filter(pk=action.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    else:
        token = "no-such-token"

    response = Client().get(reverse("public-action-page", args=[token]))

    assert response.status_code == 404
    assert "not valid" in response.content.decode()


# --- Admin ---------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(workspace: Workspace, member_of: Callable[..., Any]) -> Client:
    user = member_of(workspace, Role.ADMIN, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_publicaction", "view_publicaction", "change_publicaction"])
    )
    client = Client()
    client.force_login(user)
    return client


def test_admin_creates_a_link_and_shows_the_token_once(staff_client: Client, workspace: Workspace) -> None:
    workflow = _workflow(workspace)
    root = form_version(workspace, ROOT_SCHEMA, "root")
    company = form_version(workspace, COMPANY_SCHEMA, "company")

    response = staff_client.post(
        reverse("admin:workflows_publicaction_add"),
        {"workflow": workflow.pk, "form_version": root.pk, "company_form_version": company.pk, "expires_in_days": 7},
        follow=True,
    )

    assert response.status_code == 200
    assert "errornote" not in response.content.decode(), response.context["adminform"].form.errors
    action = PublicAction.objects.get()
    assert action.status == PublicActionStatus.OPEN
    shown = [str(m) for m in response.context["messages"]]
    link = next(m for m in shown if "/actions/" in m)
    token = link.rsplit("/actions/", 1)[1]
    assert APIClient().post(submit_url(token), {"first_name": "A"}, format="json").json() == {"status": "completed"}


def test_admin_refuses_another_workspaces_form_and_scopes_the_changelist(
    staff_client: Client, workspace: Workspace, other_workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    workflow = _workflow(workspace)
    their_form = form_version(other_workspace, ROOT_SCHEMA, "root")

    response = staff_client.post(
        reverse("admin:workflows_publicaction_add"),
        {"workflow": workflow.pk, "form_version": their_form.pk, "expires_in_days": 7},
    )
    assert response.status_code == 200  # the form again, with an error
    assert not PublicAction.objects.exists()

    mine = [make_action(workspace)[0] for _ in range(3)]
    theirs = make_action(other_workspace)[0]
    with django_assert_max_num_queries(12):
        changelist = staff_client.get(reverse("admin:workflows_publicaction_changelist"))
    html = changelist.content.decode()
    assert all(action.public_id in html for action in mine)
    assert theirs.public_id not in html
    assert staff_client.get(reverse("admin:workflows_publicaction_change", args=[theirs.pk])).status_code == 302


def test_admin_expire_action_ends_links(staff_client: Client, workspace: Workspace) -> None:
    action, token = make_action(workspace)

    staff_client.post(
        reverse("admin:workflows_publicaction_changelist"),
        {"action": "expire_links", "_selected_action": [action.pk]},
    )

    assert APIClient().post(submit_url(token), SEED_ROOT_BODY, format="json").status_code == 401


def test_create_with_an_archived_form_is_refused(api_client: APIClient, workspace: Workspace) -> None:
    workflow = _workflow(workspace)
    version = form_version(workspace, ROOT_SCHEMA, "root")
    version.form.status = "archived"
    version.form.save()

    response = api_client.post(
        CREATE_URL, {"workflow_id": workflow.public_id, "form_version_id": version.public_id}, format="json"
    )

    assert response.status_code == 400
    assert "archived" in response.json()["error"]
    assert not PublicAction.objects.exists()


def test_demo_command_prints_a_working_link(workspace: Workspace) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("demo_public_action", workspace=workspace.slug, stdout=out)
    call_command("demo_public_action", workspace=workspace.slug, stdout=StringIO())  # the forms are reused

    token = out.getvalue().split("/actions/", 1)[1].split()[0]
    response = APIClient().post(submit_url(token), SEED_COMBINED_BODY, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert PublicAction.objects.count() == 2


def test_demo_command_needs_an_existing_workspace(db: None) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="seed_demo"):
        call_command("demo_public_action", workspace="no-such-workspace")

"""A form's preview page for its authors (`/forms/<id>/preview/`, `/forms/versions/<id>/preview/`): the one
renderer, the server's checks on send, nothing saved; only members of the form's workspace see it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from submissions.models import Submission
from tests.workflows.page_support import EVERY_FIELD_SCHEMA
from tests.workflows.public_action_support import form_version
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db
SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "company", "label": "Company name", "type": "text", "required": True},
        {"key": "is_pep", "label": "Politically exposed?", "type": "yesno"},
        {
            "key": "pep_role",
            "label": "Public role",
            "type": "text",
            "required": True,
            "condition": {"field": "is_pep", "operator": "equals", "value": True},
        },
        {"key": "certificate", "label": "Certificate", "type": "file", "required": True},
    ]
}


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer(workspace: Workspace, member_of: Any) -> Any:
    return member_of(workspace, Role.VIEWER, is_staff=True)


def test_a_member_previews_a_version_with_every_widget(workspace: Workspace, viewer: Any) -> None:
    version = form_version(workspace, EVERY_FIELD_SCHEMA, "onboarding")

    response = client_of(viewer).get(reverse("submissions:form-version-preview", args=[version.public_id]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "answers are checked, never saved" in html and "(version 1)" in html
    assert 'name="shareholders_items[0].sh_name"' in html and 'canvas class="rf-signature-pad"' in html


def test_the_draft_schema_is_previewed_and_an_invalid_one_explained(workspace: Workspace, viewer: Any) -> None:
    version = form_version(workspace, SCHEMA, "kyc")
    form = version.form
    form.schema = {"fields": [{"key": "x", "label": "X", "type": "nonsense"}]}
    form.save()

    response = client_of(viewer).get(reverse("submissions:form-preview", args=[form.public_id]))

    assert response.status_code == 200
    assert "This form cannot be shown yet" in response.content.decode()
    assert "nonsense" in response.content.decode()


def test_sending_checks_the_answers_with_the_server_rules_and_saves_nothing(workspace: Workspace, viewer: Any) -> None:
    version = form_version(workspace, SCHEMA, "kyc")
    url = reverse("submissions:form-version-preview", args=[version.public_id])

    refused = client_of(viewer).post(url, {"is_pep": "true"})
    accepted = client_of(viewer).post(url, {"company": "Acme", "is_pep": "false", "certificate": "scan.pdf"})

    assert refused.status_code == 400
    html = refused.content.decode()
    assert '<a href="#f-company">Company name is required.</a>' in html
    assert '<a href="#f-pep_role">Public role is required.</a>' in html  # the condition holds: required
    assert accepted.status_code == 200
    assert "These answers pass every check of the form. Nothing was saved." in accepted.content.decode()
    assert Submission.objects.count() == 0


def test_only_members_of_the_forms_workspace_see_the_preview(
    workspace: Workspace, other_workspace: Workspace, member_of: Any
) -> None:
    version = form_version(workspace, SCHEMA, "kyc")
    url = reverse("submissions:form-version-preview", args=[version.public_id])
    stranger = member_of(other_workspace, Role.OWNER, is_staff=True)

    assert Client().get(url).status_code == 302  # to the login page
    assert client_of(stranger).get(url).status_code == 404
    assert (
        client_of(stranger).get(reverse("submissions:form-preview", args=[version.form.public_id])).status_code == 404
    )
    assert client_of(stranger).get(reverse("submissions:form-version-preview", args=["fv_nope"])).status_code == 404

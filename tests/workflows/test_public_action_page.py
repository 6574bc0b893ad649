"""The end-client page `/actions/<token>` over HTTP: what the one form renderer puts on it, and the page without
JavaScript (a plain POST through the same service as the API)."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.workflows.page_support import make_rich_action
from workflows.constants import PublicActionStatus
from workflows.models import PublicAction, SubjectRecord
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db
PLAIN_SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "company", "label": "Company name", "type": "text", "required": True},
        {"key": "employees", "label": "Employees", "type": "number", "constraints": {"integer": True, "max": 10}},
        {"key": "is_pep", "label": "Politically exposed?", "type": "yesno"},
        {
            "key": "pep_role",
            "label": "Public role",
            "type": "text",
            "condition": {"field": "is_pep", "operator": "equals", "value": True},
        },
        {"key": "services", "label": "Services", "type": "checkbox", "options": [{"value": "a", "label": "A"}]},
    ],
    "sections": [
        {
            "id": "owners",
            "title": "Owners",
            "repeatable": True,
            "minItems": 1,
            "fields": [{"key": "owner_name", "label": "Owner name", "type": "text", "required": True}],
        }
    ],
}


def page(token: str) -> str:
    return reverse("public-action-page", args=[token])


def test_the_page_names_who_asks_what_and_until_when(workspace: Workspace) -> None:
    action, token = make_rich_action(workspace)

    html = Client().get(page(token)).content.decode()

    assert "Requested by Acme Compliance" in html
    assert f"<h1>{action.form_version.form.title}</h1>" in html
    assert "This link works until" in html and str(action.expires_at.year) in html


def test_every_field_type_gets_the_widget_a_person_expects(workspace: Workspace) -> None:
    _, token = make_rich_action(workspace)

    html = Client().get(page(token)).content.decode()

    assert '<input type="checkbox" name="services" value="a" id="f-services-0"> Banking' in html
    assert '<input type="radio" name="size" value="b" id="f-size-1"> Insurance' in html
    assert '<option value="DE">Germany</option>' in html  # country names, codes stored
    assert 'type="date" id="f-founded"' in html and 'type="datetime-local" id="f-meeting"' in html
    assert 'type="number" inputmode="decimal" id="f-employees" name="employees" step="1" min="1" max="100000"' in html
    assert 'id="f-is_pep-yes"' in html and 'id="f-satisfaction-5"' in html
    assert 'data-counter="f-about-counter"' in html and "Up to 200 characters." in html
    assert 'accept=".pdf"' in html and "PDF up to 15.0" in html
    assert 'canvas class="rf-signature-pad"' in html and "Or type your full name to sign" in html
    assert 'data-source-section="shareholders"' in html and '<th scope="col">Shareholder</th>' in html
    # The table comes before its section on the page: its help names the section rather than saying "above".
    assert "One row per entry of “Shareholders”; the first columns fill in as you type." in html
    assert 'name="shareholders_items[0].sh_name"' in html  # minItems rows, and a template for more
    assert 'name="shareholders_items[__INDEX__].sh_name"' in html
    assert "As it appears on your passport." in html and "<h2" in html and "Shareholders</h2>" in html
    assert re.search(r"Full legal name <span class=\"rf-req\"><span aria-hidden=\"true\">\*</span> required", html)


def test_hostile_labels_and_options_are_rendered_escaped(workspace: Workspace) -> None:
    schema = copy.deepcopy(PLAIN_SCHEMA)
    schema["fields"][0]["label"] = '<img src=x onerror="alert(1)">'
    schema["fields"][4]["options"] = [{"value": "a", "label": "<script>alert(2)</script>"}]
    _, token = make_rich_action(workspace, schema)

    html = Client().get(page(token)).content.decode()

    assert "<img src=x" not in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html and "&lt;script&gt;alert(2)" in html


def test_without_javascript_errors_come_back_next_to_their_fields_and_nothing_is_written(
    workspace: Workspace,
) -> None:
    action, token = make_rich_action(workspace, PLAIN_SCHEMA)

    response = Client().post(page(token), {"employees": "12", "owners_items[0].owner_name": ""})

    assert response.status_code == 400
    html = response.content.decode()
    assert '<p class="rf-error" id="f-company-error">Company name is required.</p>' in html
    assert '<a href="#f-company">Company name is required.</a>' in html  # the summary links to the field
    assert 'id="f-employees-error">' in html and 'value="12"' in html  # the answer is kept
    # A repeat row's error says which entry it is about, in the summary (beside the field the row is plain to see).
    assert '<a href="#f-owners_items-0-owner_name">Owners 1: Owner name is required.</a>' in html
    assert PublicAction.objects.get(pk=action.pk).status == PublicActionStatus.OPEN
    assert SubjectRecord.objects.count() == 1  # the root only


def test_without_javascript_a_valid_post_completes_and_shows_the_reference(workspace: Workspace) -> None:
    action, token = make_rich_action(workspace, PLAIN_SCHEMA)
    body = {"company": "Acme", "employees": "7", "is_pep": "false", "pep_role": "Mayor", "services": ["a"]}

    response = Client().post(page(token), {**body, "owners_items[0].owner_name": "Ada"})

    assert response.status_code == 302 and response["Location"] == page(token)
    action = PublicAction.objects.get(pk=action.pk)
    assert action.status == PublicActionStatus.COMPLETED
    # Typed as the API takes it; the hidden field's answer is dropped by the server's conditions.
    assert action.submission.data == {  # type: ignore[union-attr]
        "company": "Acme",
        "employees": 7,
        "is_pep": False,
        "services": ["a"],
        "owners_items": [{"owner_name": "Ada"}],
    }
    html = Client().get(page(token)).content.decode()
    assert "Thank you, everything has been received" in html
    assert action.submission.public_id in html  # type: ignore[union-attr]


def test_a_second_post_after_success_shows_the_confirmation_not_an_error(workspace: Workspace) -> None:
    _, token = make_rich_action(workspace, PLAIN_SCHEMA)
    body = {"company": "Acme", "owners_items[0].owner_name": "Ada"}
    Client().post(page(token), body)

    again = Client().post(page(token), body)

    assert again.status_code == 200
    assert "Thank you, everything has been received" in again.content.decode()


def test_the_page_of_another_workspace_shows_nothing_of_this_one(
    workspace: Workspace, other_workspace: Workspace
) -> None:
    _, token = make_rich_action(other_workspace, PLAIN_SCHEMA)

    html = Client().get(page(token)).content.decode()

    assert other_workspace.name in html and workspace.name not in html

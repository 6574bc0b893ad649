"""Forms in several languages: a schema's ``translations`` and ``defaultLanguage``, on every page that renders it.

The page's language comes from the switcher or ``Accept-Language``; when the visitor names none the site has, it is
the form's own ``defaultLanguage``. Labels, help texts, section titles and option labels follow it, and fall back
to the schema's own texts where a translation is missing.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from submissions.models import FormVersion
from submissions.services import form_create, form_publish, submission_create
from tests.submissions.public_form_support import make_form, page_url
from tests.workflows.factories import RequiredDocumentFactory, SubjectRecordFactory, WorkflowFactory
from tests.workflows.page_support import make_rich_action
from tests.workflows.test_workflow_review_admin import uploaded_fulfillment
from workflows.constants import PublicActionStatus
from workflows.models import PublicAction, SubjectRecord
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

BILINGUAL: dict[str, Any] = {
    "fields": [
        {
            "key": "full_name",
            "label": "Full legal name",
            "type": "text",
            "required": True,
            "helpText": "As it appears on your passport.",
            "translations": {"de": {"label": "Vollständiger Name", "helpText": "Wie im Reisepass."}},
        },
        {
            "key": "industry",
            "label": "Industry",
            "type": "select",
            "required": True,
            "options": [
                {"value": "bank", "label": "Banking", "translations": {"de": {"label": "Bankwesen"}}},
                {"value": "retail", "label": "Retail"},  # no translation: its own label
            ],
            "translations": {"de": {"label": "Branche"}},
        },
        {"key": "country", "label": "Country", "type": "country", "translations": {"de": {"label": "Land"}}},
        {"key": "is_pep", "label": "Politically exposed?", "type": "yesno"},
    ],
    "sections": [
        {
            "id": "holders",
            "title": "Shareholders",
            "description": "Everyone who holds shares.",
            "repeatable": True,
            "translations": {"de": {"title": "Gesellschafter", "description": "Alle, die Anteile halten."}},
            "fields": [
                {
                    "key": "holder",
                    "label": "Holder name",
                    "type": "text",
                    "translations": {"de-at": {"label": "Name des Gesellschafters"}},
                }
            ],
        }
    ],
}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _page(token: str, accept_language: str | None = None) -> str:
    headers = {"accept-language": accept_language} if accept_language else {}
    response = Client().get(reverse("public-action-page", args=[token]), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_visitors_language_and_falls_back_to_the_schemas_own_texts(workspace: Workspace) -> None:
    _, token = make_rich_action(workspace, BILINGUAL)

    german = _page(token, "de-AT,de;q=0.9")
    english = _page(token, "en")

    text = _text(german)
    assert '<html lang="de">' in german
    assert "Vollständiger Name" in text and "Wie im Reisepass." in text and "Branche" in text
    assert "Bankwesen" in text and "Retail" in text  # an option without a translation keeps its own label
    assert "Gesellschafter" in text and "Alle, die Anteile halten." in text
    assert "Deutschland" in text  # country names in the page's language too (ISO codes stored)
    assert "Full legal name" not in text and "Banking" not in text
    # ``de-at`` text is only for a visitor asking for Austrian German; ``de`` gets the form's own.
    assert "Holder name" in text
    assert "Full legal name" in _text(english) and "Banking" in english and "Vollständiger Name" not in english
    # The script's copy of the form (the browser spec) is in the same language.
    assert '"label": "Vollst\\u00e4ndiger Name"' in german and '"language": "de"' in german


def test_a_form_written_in_german_opens_in_german_unless_the_visitor_asks_otherwise(workspace: Workspace) -> None:
    schema = copy.deepcopy(BILINGUAL)
    schema["defaultLanguage"] = "de"
    schema["fields"][0] |= {"label": "Vollständiger Name", "translations": {"en": {"label": "Full legal name"}}}
    _, token = make_rich_action(workspace, schema)

    no_preference = _page(token)
    unsupported = _page(token, "fi")
    english = _page(token, "en-GB,en;q=0.8")
    switched = Client(HTTP_ACCEPT_LANGUAGE="de")
    switched.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert '<html lang="de">' in no_preference and "Vollständiger Name" in no_preference
    assert ">Senden</button>" in no_preference
    assert '<html lang="de">' in unsupported
    assert '<html lang="en">' in english and "Full legal name" in english and ">Send</button>" in english
    assert "Full legal name" in switched.get(reverse("public-action-page", args=[token])).content.decode()


def test_a_public_form_written_in_german_opens_in_german_unless_the_visitor_asks_otherwise(
    workspace: Workspace,
) -> None:
    schema = copy.deepcopy(BILINGUAL)
    schema["defaultLanguage"] = "de"
    schema["fields"][0] |= {"label": "Vollständiger Name", "translations": {"en": {"label": "Full legal name"}}}
    url = page_url(make_form(workspace, schema=schema))

    no_preference = Client().get(url).content.decode()
    english = Client().get(url, headers={"accept-language": "en"}).content.decode()

    assert '<html lang="de">' in no_preference and "Vollständiger Name" in no_preference
    assert "Branche" in no_preference and "Full legal name" not in no_preference
    assert '<html lang="en">' in english and "Full legal name" in english and "Industry" in english


def test_the_revision_request_page_is_in_the_clients_language_and_says_until_when_it_works(
    workspace: Workspace, api_client_for: Any
) -> None:
    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    requirement = RequiredDocumentFactory.create(workflow=workflow, name="Passport")
    uploaded_fulfillment(workflow, requirement)
    body = {"workflow_id": workflow.public_id, "required_document_ids": [requirement.public_id], "message": "Blurred."}
    answer = api_client_for(workspace, role=Role.MEMBER).post(reverse("revision-request-create"), body, format="json")
    url = f"/actions/{answer.json()['revision_request']['token']}"

    german = Client().get(url, headers={"accept-language": "de"}).content.decode()
    english = _text(Client().get(url, headers={"accept-language": "en"}).content.decode())

    assert '<html lang="de">' in german and "Bitte senden Sie uns neue Dokumente" in german
    assert "Dieser Link ist gültig bis" in german and "Blurred." in german and "Passport" in german
    assert "Wird hochgeladen" in german  # the script's sentences, in the page's language too
    assert "Please send us new documents" in english and "This link works until" in english


def test_the_preview_and_the_share_page_follow_the_language(
    workspace: Workspace, client: Client, api_client: APIClient, member_of: Any
) -> None:
    form = form_create(workspace=workspace, title="Onboarding", schema=copy.deepcopy(BILINGUAL), acting_user=None)
    version: FormVersion = form_publish(form=form, acting_user=None)
    submission = submission_create(
        workspace=workspace,
        form_version=version,
        data={"full_name": "Jane", "industry": "bank", "country": "DE", "is_pep": False},
        acting_user=None,
    )
    share_url = api_client.post(reverse("submission-share", args=[submission.public_id])).json()["shareUrl"]
    author = member_of(workspace, Role.VIEWER, is_staff=True)
    client.force_login(author)

    preview = client.get(
        reverse("submissions:form-version-preview", args=[version.public_id]), HTTP_ACCEPT_LANGUAGE="de"
    )
    shared = _text(Client(HTTP_ACCEPT_LANGUAGE="de").get(share_url).content.decode())

    assert preview.status_code == 200 and "Vollständiger Name" in preview.content.decode()
    assert "Vollständiger Name Jane" in shared and "Branche Bankwesen" in shared
    assert "Land Deutschland (DE)" in shared and "Politically exposed? Nein" in shared
    english = _text(Client(HTTP_ACCEPT_LANGUAGE="en").get(share_url).content.decode())
    assert "Full legal name Jane" in english and "Industry Banking" in english and "Country Germany (DE)" in english


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"defaultLanguage": "German"}, "'defaultLanguage' must be a language code"),
        ({"fields": [{"key": "a", "type": "text", "translations": {"Deutsch": {"label": "A"}}}]}, "not a language"),
        ({"fields": [{"key": "a", "type": "text", "translations": {"de": {"colour": "A"}}}]}, "cannot be translated"),
        ({"fields": [{"key": "a", "type": "text", "translations": {"de": {"label": 3}}}]}, "an object of texts"),
        ({"fields": [{"key": "a", "type": "text", "translations": ["de"]}]}, "'translations' must be an object"),
    ],
)
def test_a_bad_translation_is_refused_at_publish(api_client: APIClient, change: dict[str, Any], message: str) -> None:
    schema = {"fields": [{"key": "a", "label": "A", "type": "text"}], **change}
    created = api_client.post(reverse("form-list"), {"title": "Bad", "schema": schema}, format="json")
    assert created.status_code == 201, created.content

    response = api_client.post(reverse("form-publish", args=[created.json()["id"]]))

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "INVALID_FORM_SCHEMA" and any(message in line for line in body["details"]["schema"])
    assert not FormVersion.objects.exists()


# --- Validation messages: the page's language on the pages, English on the API -----------------------------


def test_without_javascript_the_errors_are_in_the_pages_language_and_name_the_translated_field(
    workspace: Workspace,
) -> None:
    action, token = make_rich_action(workspace, BILINGUAL)
    client = Client(headers={"accept-language": "de"})

    response = client.post(reverse("public-action-page", args=[token]), {"full_name": "", "industry": "mining"})

    assert response.status_code == 400
    html = response.content.decode()
    assert '<p class="rf-error" id="f-full_name-error">Vollständiger Name ist ein Pflichtfeld.</p>' in html
    assert '<a href="#f-full_name">Vollständiger Name ist ein Pflichtfeld.</a>' in html
    assert "&#x27;mining&#x27; ist keine der Auswahlmöglichkeiten" in html
    assert "is required" not in html
    assert PublicAction.objects.get(pk=action.pk).status == PublicActionStatus.OPEN


def test_the_pages_script_route_answers_like_the_api_with_the_messages_in_its_language(workspace: Workspace) -> None:
    action, token = make_rich_action(workspace, BILINGUAL)
    body = {
        "full_name": "x" * 1001,
        "country": "Narnia",
        "role-entity": [{"reference": "p1", "customer_type": "individual", "first_name": "Ada", "last_name": "L"}],
        "role-entity_relations": [{"from": "p1", "to": "root", "role": "owner", "ownership_percentage": 101}],
    }

    def send(route: str, language: str) -> dict[str, Any]:
        response = Client().post(
            reverse(route, args=[token]), body, content_type="application/json", headers={"accept-language": language}
        )
        assert response.status_code == 400
        answer: dict[str, Any] = response.json()
        assert answer["success"] is False and answer["code"] == "VALIDATION_ERROR"
        return answer

    page = send("public-action-page-submit", "de")["details"]["fields"]
    api = send("public-action-submit", "de")["details"]["fields"]

    assert page.keys() == api.keys()
    assert page["full_name"][0] == "Darf höchstens 1000 Zeichen lang sein."
    assert page["industry"] == ["Branche ist ein Pflichtfeld."]
    assert page["country"] == ["Muss ein Ländercode nach ISO 3166-1 alpha-2 sein, etwa „DE“."]
    assert page["role-entity_relations[0].ownership_percentage"] == ["Muss eine Zahl zwischen 0 und 100 sein."]
    # The API's own route keeps its English messages whatever the client's language.
    assert api["full_name"][0] == "Must be at most 1000 characters."
    assert api["industry"] == ["Industry is required."]
    assert api["role-entity_relations[0].ownership_percentage"] == ["Must be a number between 0 and 100."]
    english = send("public-action-page-submit", "en")["details"]["fields"]
    assert english == api
    assert PublicAction.objects.get(pk=action.pk).status == PublicActionStatus.OPEN
    assert SubjectRecord.objects.count() == 1  # the root only: nothing written


def test_the_preview_checks_in_the_pages_language(workspace: Workspace, client: Client, member_of: Any) -> None:
    form = form_create(workspace=workspace, title="Onboarding", schema=copy.deepcopy(BILINGUAL), acting_user=None)
    client.force_login(member_of(workspace, Role.VIEWER, is_staff=True))

    response = client.post(
        reverse("submissions:form-preview", args=[form.public_id]),
        {"full_name": "Jane", "industry": "bank", "holders_items[0].holder": "y" * 1001},
        headers={"accept-language": "de"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Darf höchstens 1000 Zeichen lang sein." in html and "Must be at most" not in html

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
from tests.workflows.page_support import make_rich_action
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

"""Hostile texts on the end-client pages and the reviewer's case page: labels, options, help texts, section titles,
values and file names carrying markup, script, ``javascript:`` URLs, bidi overrides and very long strings are shown
as text, never as markup, on the public action page, the preview, the share page and the admin case page.

Stored values normally pass the sanitiser; these tests also put hostile values straight into the database (data
stored before a rule existed, an import) so the pages are checked on their own.
"""

from __future__ import annotations

import copy
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from documents.models import Document
from submissions.models import Submission
from submissions.services import form_create, form_publish, submission_create
from tests.documents.factories import UploadedDocumentFactory
from tests.workflows.page_support import make_rich_action
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

SCRIPT = "<script>window.pwned=1</script>"
ATTRIBUTE = '"><img src=x onerror="window.pwned=2">'
JS_URL = "javascript:window.pwned=3"
RTL = "Invoice\u202efdp.exe"
LONG = "W" * 2_000

HOSTILE_SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "key": "full_name",
            "label": f"Name {ATTRIBUTE}",
            "type": "text",
            "required": True,
            "helpText": f"{SCRIPT} see {JS_URL}",
            "placeholder": ATTRIBUTE,
            "translations": {"de": {"label": f"Name {SCRIPT}"}},
        },
        {"key": "website", "label": "Website", "type": "text"},
        {"key": "long_label", "label": LONG, "type": "text", "description": RTL},
        {
            "key": "kind",
            "label": "Kind",
            "type": "radio",
            "options": [{"value": "a", "label": SCRIPT}, {"value": "b", "label": ATTRIBUTE}],
        },
        {"key": "passport", "label": f"Passport {RTL}", "type": "file"},
    ],
    "sections": [
        {
            "id": "holders",
            "title": f"Holders {ATTRIBUTE}",
            "description": SCRIPT,
            "repeatable": True,
            "fields": [{"key": "holder", "label": f"Holder {SCRIPT}", "type": "text"}],
        }
    ],
}
HOSTILE_DATA: dict[str, Any] = {
    "full_name": SCRIPT,
    "website": JS_URL,
    "long_label": LONG,
    "kind": "b",
    "holders_items": [{"holder": ATTRIBUTE}],
}


class _Markup(HTMLParser):
    """What a browser would build from a page: every element with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def assert_inert(html: str) -> None:
    """Nothing of the hostile texts became markup, a handler, a script, a link or a direction override."""
    parser = _Markup()
    parser.feed(html)
    for tag, attrs in parser.elements:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert not (tag == "img" and attrs.get("src") == "x"), attrs
        if tag == "script":  # the page's own: a static file, or data (json_script)
            assert "src" in attrs or attrs.get("type") == "application/json", attrs
        for name in ("href", "src", "action", "formaction"):
            assert not attrs.get(name, "").strip().lower().startswith("javascript:"), (tag, attrs)
    assert "<script>window.pwned" not in html and "<img src=x" not in html
    assert "\u202e" not in html and "\\u202e" not in html  # a bidi override would reorder what follows it


def _text_assertions(html: str) -> None:
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=&quot;window.pwned=2&quot;&gt;" in html


def test_the_public_action_page_shows_hostile_labels_options_and_values_as_text(workspace: Workspace) -> None:
    _, token = make_rich_action(workspace, HOSTILE_SCHEMA)
    url = reverse("public-action-page", args=[token])

    page = Client().get(url).content.decode()
    german = Client(headers={"accept-language": "de"}).get(url).content.decode()
    # Without JavaScript the answers come back into their inputs beside the errors.
    again = Client().post(url, {"website": ATTRIBUTE, "holders_items[0].holder": JS_URL, "long_label": LONG})

    for html in (page, german, again.content.decode()):
        assert_inert(html)
    _text_assertions(page)
    assert "Name &lt;script&gt;" in german
    assert again.status_code == 400
    assert f'value="{JS_URL}"' in again.content.decode()  # a value, not a link
    assert 'value="&quot;&gt;&lt;img src=x' in again.content.decode()


def test_the_preview_shows_hostile_texts_as_text(workspace: Workspace, member_of: Any) -> None:
    form = form_create(workspace=workspace, title=ATTRIBUTE, schema=copy.deepcopy(HOSTILE_SCHEMA), acting_user=None)
    client = Client()
    client.force_login(member_of(workspace, Role.VIEWER, is_staff=True))

    html = client.get(reverse("submissions:form-preview", args=[form.public_id])).content.decode()

    assert_inert(html)
    _text_assertions(html)


@pytest.fixture
def hostile_submission(workspace: Workspace) -> Submission:
    form = form_create(
        workspace=workspace, title=f"Form {SCRIPT}", schema=copy.deepcopy(HOSTILE_SCHEMA), acting_user=None
    )
    version = form_publish(form=form, acting_user=None)
    # Markup survives in a file's name (uploads keep what people named it; they strip bidi overrides only).
    document: Document = UploadedDocumentFactory.create(
        workspace=workspace, original_name=f"{ATTRIBUTE}passport.pdf", size=10
    )
    submission = submission_create(workspace=workspace, form_version=version, data={"full_name": "x"}, acting_user=None)
    # Straight into the row, past the sanitiser: the pages must hold on their own.
    Submission.objects.filter(pk=submission.pk).update(data={**HOSTILE_DATA, "passport": str(document.uuid)})
    submission.refresh_from_db()
    return submission


def test_the_share_page_shows_hostile_values_and_file_names_as_text(
    hostile_submission: Submission, api_client: APIClient
) -> None:
    url = api_client.post(reverse("submission-share", args=[hostile_submission.public_id])).json()["shareUrl"]

    response = Client().get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html)
    _text_assertions(html)
    assert JS_URL in html  # shown as the text it is
    assert "window.pwned=2&quot;&gt;passport.pdf</a>" in html  # the file's name, as the link's text


def test_the_admin_case_page_shows_hostile_values_and_file_names_as_text(
    hostile_submission: Submission, client: Client, workspace: Workspace, member_of: Any
) -> None:
    client.force_login(member_of(workspace, Role.ADMIN, is_staff=True))

    response = client.get(reverse("admin:submissions_submission_change", args=[hostile_submission.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html)
    _text_assertions(html)
    assert "window.pwned=2&quot;&gt;passport.pdf</a>" in html

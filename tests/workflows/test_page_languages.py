"""The end-client pages in German: Accept-Language or the switcher picks it, English is the fallback, and the
shipped translation is complete (every message of the catalogue translated, the compiled file in step)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.workflows.page_support import make_rich_action
from workspaces.models import Workspace

PO = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"


def _entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) of every singular entry of the German catalogue."""
    pairs = []
    for block in PO.read_text().split("\n\n")[1:]:
        if "msgid_plural" in block or not block.strip():
            continue
        msgid = "".join(re.findall(r'"(.*)"', block.split("msgid ", 1)[1].split("msgstr ", 1)[0]))
        msgstr = "".join(re.findall(r'"(.*)"', block.split("msgstr ", 1)[1]))
        pairs.append((msgid.replace('\\"', '"'), msgstr.replace('\\"', '"')))
    return pairs


def test_the_german_catalogue_is_complete_and_compiled() -> None:
    entries = _entries()
    assert len(entries) > 100
    assert [msgid for msgid, msgstr in entries if not msgstr] == []
    assert "#, fuzzy" not in PO.read_text().split("\n\n", 1)[1]
    with translation.override("de"):
        stale = [msgid for msgid, msgstr in entries if translation.gettext(msgid) != msgstr]
    assert stale == [], "locale/de/LC_MESSAGES/django.mo is older than the .po: run compilemessages"


@pytest.mark.django_db
def test_accept_language_picks_german_and_english_is_the_fallback(workspace: Workspace) -> None:
    _, token = make_rich_action(workspace)
    url = reverse("public-action-page", args=[token])

    german = Client(HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").get(url).content.decode()
    fallback = Client(HTTP_ACCEPT_LANGUAGE="fi").get(url).content.decode()

    assert '<html lang="de">' in german
    assert "Angefordert von Acme Compliance" in german and "Dieser Link ist gültig bis" in german
    assert "Pflichtfeld" in german and ">Senden</button>" in german and "Gesellschafter" in german
    assert "Requested by" not in german
    assert '<html lang="en' in fallback and "Requested by Acme Compliance" in fallback


@pytest.mark.django_db
def test_the_switcher_keeps_the_chosen_language(workspace: Workspace) -> None:
    _, token = make_rich_action(workspace)
    url = reverse("public-action-page", args=[token])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    switched = client.post(reverse("set_language"), {"language": "de", "next": url})

    assert switched.status_code == 302 and switched["Location"] == url
    assert "Unternehmen hinzufügen" in client.get(url).content.decode()


@pytest.mark.django_db
def test_an_invalid_link_is_explained_in_german(workspace: Workspace) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="de").get(reverse("public-action-page", args=["no-such-token"]))

    assert response.status_code == 404
    assert "Der Link ist ungültig oder abgelaufen." in response.content.decode()

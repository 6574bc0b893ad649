"""The share page renders a submission as a reviewer reads it: sections, tables, labels, names, files."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from submissions.models import FormVersion, ShareLink, Submission
from tests.documents.factories import UploadedDocumentFactory
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "full_name", "label": "Full name", "type": "text", "required": True},
        {"key": "residence", "label": "Country of residence", "type": "country"},
        {"key": "is_pep", "label": "Politically exposed?", "type": "yesno"},
        {
            "key": "pep_role",
            "label": "Public role",
            "type": "text",
            "condition": {"field": "is_pep", "operator": "equals", "value": True},
        },
        {
            "key": "source",
            "label": "Source of funds",
            "type": "radio",
            "options": [{"value": "salary", "label": "Employment income"}, {"value": "other", "label": "Other"}],
        },
        {"key": "passport", "label": "Passport", "type": "file"},
        {
            "key": "allocation",
            "label": "Share allocation",
            "type": "table_fill",
            "columns": [
                {"key": "holder", "label": "Holder", "type": "text", "sourceField": "holder_name"},
                {"key": "percent", "label": "Percent", "type": "number"},
            ],
        },
    ],
    "sections": [
        {
            "id": "holders",
            "title": "Shareholders",
            "repeatable": True,
            "fields": [
                {"key": "holder_name", "label": "Holder name", "type": "text", "required": True},
                {"key": "holder_country", "label": "Holder country", "type": "country"},
            ],
        },
        {
            "id": "contact",
            "title": "Contact details",
            "fields": [{"key": "phone", "label": "Phone", "type": "tel"}],
        },
    ],
}


def _text(html: str) -> str:
    """The page's text with tags and runs of whitespace collapsed, to assert on what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_share_page_shows_sections_tables_labels_and_hides_hidden_fields(
    api_client: APIClient,
    client: Client,
    workspace: Workspace,
    publish_form: Callable[..., FormVersion],
    make_submission: Callable[..., Submission],
) -> None:
    version = publish_form(workspace, SCHEMA, title="Shareholder check")
    document = UploadedDocumentFactory.create(workspace=workspace, original_name="Jane passport.pdf", size=2048)
    data = {
        "full_name": "Jane Smith",
        "residence": "de",
        "is_pep": False,
        "source": "salary",
        "passport": str(document.uuid),
        "holders_items": [{"holder_name": "Bob", "holder_country": "FR"}, {"holder_name": "Sarah"}],
        "allocation": [{"percent": 60}, {"percent": 40}],
        "phone": "+44 20 7946 0000",
    }
    submission = make_submission(version, data)
    # A stored value of a field its condition hides (data from before a change, say) is still not shown.
    Submission.objects.filter(pk=submission.pk).update(data={**submission.data, "pep_role": "Minister"})
    share = api_client.post(reverse("submission-share", args=[submission.public_id]))

    page = client.get(share.json()["shareUrl"])

    assert page.status_code == 200
    text = _text(page.content.decode())
    assert "Country of residence Germany (DE)" in text
    assert "Politically exposed? No" in text
    assert "Source of funds Employment income" in text and "salary" not in text
    assert "Public role" not in text and "Minister" not in text
    # The file by its name, with its size, a thumbnail and a short-lived download link; never its uuid.
    assert "Passport Jane passport.pdf 2.0 KB" in text
    assert str(document.uuid) not in text
    html = page.content.decode()
    assert re.search(r'<img src="[^"]*/thumbnails/[^"]+" alt=""', html)
    assert re.search(r'<a href="[^"]+X-Amz-Signature=[^"]+"[^>]*>Jane passport.pdf</a>', html)
    # The repeatable section as a table: its title, a header of field labels, a row per item.
    assert "Shareholders" in text and "# Holder name Holder country" in text
    assert "1 Bob France (FR)" in text and "2 Sarah" in text
    # table_fill as a grid whose source column is filled from the section.
    assert "Share allocation # Holder Percent 1 Bob 60 2 Sarah 40" in text
    assert "Contact details Phone +44 20 7946 0000" in text


@pytest.mark.parametrize("ending", ["expired", "revoked"])
def test_an_expired_or_revoked_link_answers_a_clear_page_and_no_data(
    ending: str,
    api_client: APIClient,
    client: Client,
    workspace: Workspace,
    publish_form: Callable[..., FormVersion],
    make_submission: Callable[..., Submission],
) -> None:
    version = publish_form(workspace, SCHEMA, title="Shareholder check")
    document = UploadedDocumentFactory.create(workspace=workspace, original_name="Jane passport.pdf")
    data = {"full_name": "Jane Smith", "passport": str(document.uuid), "holders_items": [{"holder_name": "Bob"}]}
    submission = make_submission(version, data)
    url = api_client.post(reverse("submission-share", args=[submission.public_id])).json()["shareUrl"]
    assert client.get(url).status_code == 200
    if ending == "expired":
        ShareLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        assert api_client.delete(reverse("submission-share", args=[submission.public_id])).status_code == 200

    page = client.get(url)

    assert page.status_code == 404
    text = _text(page.content.decode())
    assert "This link is not available" in text and "has expired or was revoked" in text
    for secret in ("Jane Smith", "Jane passport.pdf", "Shareholder check", submission.public_id, "thumbnails"):
        assert secret not in page.content.decode()
    german = Client(HTTP_ACCEPT_LANGUAGE="de").get(url)
    assert german.status_code == 404 and "Dieser Link ist nicht verfügbar" in german.content.decode()

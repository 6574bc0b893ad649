"""The end-client pages in headless Chromium: the German page and its errors, axe while a file is uploading, the
share page with thumbnails, and hostile texts that never run as script nor widen the page at 390 px.

Screenshots (desktop and 390 px) go to artifacts/screenshots/.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from rest_framework.test import APIClient

from documents import s3
from submissions.models import Submission
from submissions.services import form_create, form_publish, submission_create
from tests.documents.factories import UploadedDocumentFactory
from tests.test_hostile_pages import HOSTILE_DATA, HOSTILE_SCHEMA, LONG
from tests.uploads import pdf_bytes, png_bytes
from tests.workflows.page_support import EVERY_FIELD_SCHEMA, TWO_FILES_SCHEMA, hold_the_first_upload, make_rich_action
from tests.workflows.public_action_support import PDF_BYTES
from tests.workflows.test_public_action_page_browser import assert_accessible
from workflows.constants import PublicActionStatus
from workflows.models import PublicAction
from workspaces.models import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GERMAN = {
    "full_name": ("Vollständiger Name", "Wie im Reisepass."),
    "email": ("E-Mail", ""),
    "phone": ("Telefon", ""),
    "founded": ("Gründungsdatum", ""),
    "employees": ("Beschäftigte", ""),
    "turnover": ("Jahresumsatz (EUR)", ""),
    "is_pep": ("Sind Sie eine politisch exponierte Person?", ""),
    "pep_role": ("Öffentliches Amt", ""),
    "industry": ("Branche", ""),
    "country": ("Land der Gründung", ""),
    "id_document": ("Handelsregisterauszug", ""),
    "signature": ("Unterschrift", ""),
    "holdings": ("Gehaltene Anteile", ""),
    "sh_name": ("Name des Gesellschafters", ""),
}


def german_schema() -> dict[str, Any]:
    """The every-field form with German labels for most fields, its sections and its options."""
    schema = copy.deepcopy(EVERY_FIELD_SCHEMA)
    fields = [*schema["fields"], *(f for section in schema["sections"] for f in section["fields"])]
    for item in fields:
        if item["key"] in GERMAN:
            label, help_text = GERMAN[item["key"]]
            item["translations"] = {"de": {"label": label, **({"helpText": help_text} if help_text else {})}}
        for option, german in zip(item.get("options", []), ("Bankwesen", "Versicherung", "Einzelhandel"), strict=False):
            option["translations"] = {"de": {"label": german}}
    schema["sections"][0]["translations"] = {"de": {"title": "Gesellschafter", "description": "Alle Anteilseigner."}}
    return schema


def test_a_german_client_sees_the_form_and_its_errors_in_german(
    browser: Any, live_server: Any, workspace: Workspace, screenshot: Any
) -> None:
    action, token = make_rich_action(workspace, german_schema())
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(f"{live_server.url}/actions/{token}")
    assert page.get_attribute("html", "lang") == "de"
    assert "Vollständiger Name" in page.inner_text("label[for=f-full_name]")
    assert_accessible(page, "German, empty")
    screenshot(page, "public-action-german")

    page.check("#f-is_pep-yes")
    page.fill("#f-employees", "0")
    page.click("#submit")
    page.wait_for_selector("#error-summary:not([hidden])", timeout=20_000)

    summary = page.inner_text("#error-summary")
    assert "Vollständiger Name ist ein Pflichtfeld." in summary
    assert "Öffentliches Amt ist ein Pflichtfeld." in summary
    assert "Muss mindestens 1 sein." in summary
    assert "is required" not in summary and "Must be" not in summary
    assert page.inner_text("#f-full_name-error") == "Vollständiger Name ist ein Pflichtfeld."
    assert PublicAction.objects.get(pk=action.pk).status == PublicActionStatus.OPEN
    assert_accessible(page, "German, errors")
    screenshot(page, "public-action-german-errors")


def test_axe_finds_nothing_serious_while_a_file_is_uploading(
    browser: Any, live_server: Any, workspace: Workspace, s3_endpoint: str, screenshot: Any
) -> None:
    action, token = make_rich_action(workspace, TWO_FILES_SCHEMA)
    page = browser.new_page()
    held = hold_the_first_upload(page, s3_endpoint)
    page.goto(f"{live_server.url}/actions/{token}")
    page.fill("#f-company", "Acme")
    for field, name in (("id_document", "certificate.pdf"), ("extract", "extract.pdf")):
        page.set_input_files(f"#f-{field}", files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    page.click("#submit")
    page.wait_for_selector(".upload[data-state=uploading]", timeout=30_000)

    assert len(held) == 1 and page.inner_text("#status")  # the page says what it is doing
    assert page.locator(".upload").count() == 2  # one row per file: the one in flight, the one waiting
    assert "Uploading 0%" in page.inner_text(".upload[data-state=uploading]")
    assert_accessible(page, "uploading")
    screenshot(page, "public-action-uploading")

    held[0].continue_()
    page.wait_for_selector("#confirmation", timeout=30_000)
    assert PublicAction.objects.get(pk=action.pk).status == PublicActionStatus.COMPLETED


def wait_for_images(page: Any) -> None:
    """Until every thumbnail has loaded (the page's CSP refuses wait_for_function's eval)."""
    for _ in range(150):
        if page.evaluate("() => [...document.images].every((img) => img.complete && img.naturalWidth > 0)"):
            return
        page.wait_for_timeout(200)
    raise AssertionError("the thumbnails did not load")


def _shared_submission(workspace: Workspace) -> Submission:
    schema = copy.deepcopy(german_schema())
    form = form_create(workspace=workspace, title="Company onboarding", schema=schema, acting_user=None)
    version = form_publish(form=form, acting_user=None)
    files = []
    for name, body, content_type in (
        ("Certificate of incorporation.pdf", pdf_bytes(), "application/pdf"),
        ("Signature.png", png_bytes((400, 160), "teal"), "image/png"),
    ):
        document = UploadedDocumentFactory.create(
            workspace=workspace, original_name=name, content_type=content_type, size=len(body)
        )
        s3.put_object(document.final_key, body, content_type)
        files.append(str(document.uuid))
    data = {
        "full_name": "Acme Holdings Ltd",
        "email": "ops@acme.example",
        "founded": "2001-02-03",
        "employees": 250,
        "is_pep": False,
        "industry": "b",
        "services": ["a", "c"],
        "country": "DE",
        "id_document": files[0],
        "signature": files[1],
        "shareholders_items": [
            {"sh_name": "Ada Lovelace", "sh_country": "GB"},
            {"sh_name": "Grace Hopper", "sh_country": "US"},
        ],
        "holdings": [{"shares": 600}, {"shares": 400}],
    }
    return submission_create(workspace=workspace, form_version=version, data=data, acting_user=None)


def test_the_share_page_shows_the_case_with_thumbnails_in_the_readers_language(
    browser: Any, live_server: Any, workspace: Workspace, api_client: APIClient, screenshot: Any
) -> None:
    submission = _shared_submission(workspace)
    url = api_client.post(f"/api/submissions/{submission.public_id}/share").json()["shareUrl"]
    path = url.split("/share/", 1)[1]

    for locale, name in (("en-GB", "share-page"), ("de-DE", "share-page-german")):
        page = browser.new_context(locale=locale).new_page()
        page.goto(f"{live_server.url}/share/{path}")
        wait_for_images(page)
        assert page.locator(".file img").count() == 4  # each file beside its answer and in the list
        assert page.locator("a:has-text('Certificate of incorporation.pdf')").count() == 2
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        assert_accessible(page, name)
        screenshot(page, name)
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "Vollständiger Name" in page.inner_text("main") and "Deutschland (DE)" in page.inner_text("main")


def test_hostile_texts_never_run_and_never_widen_the_page(
    browser: Any, live_server: Any, workspace: Workspace, api_client: APIClient, screenshot: Any
) -> None:
    _, token = make_rich_action(workspace, HOSTILE_SCHEMA)
    form = form_create(workspace=workspace, title="Hostile", schema=copy.deepcopy(HOSTILE_SCHEMA), acting_user=None)
    version = form_publish(form=form, acting_user=None)
    submission = submission_create(workspace=workspace, form_version=version, data={"full_name": "x"}, acting_user=None)
    Submission.objects.filter(pk=submission.pk).update(data=HOSTILE_DATA)
    share = api_client.post(f"/api/submissions/{submission.public_id}/share").json()["shareUrl"].split("/share/")[1]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:  # an alert() that ran
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    for url in (f"{live_server.url}/actions/{token}", f"{live_server.url}/share/{share}"):
        page.goto(url)
        if "/actions/" in url:
            page.fill("#f-website", '"><img src=x onerror="window.pwned=4">')
            page.fill("#f-long_label", LONG)
            page.click("#submit")
            page.wait_for_selector("#error-summary:not([hidden])", timeout=20_000)
            screenshot(page, "public-action-hostile")
            page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("window.pwned") is None, url
        wide = page.evaluate(
            "() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 391)"
            ".map((e) => e.tagName + '.' + e.className).slice(0, 5)"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, (url, wide)
    assert dialogs == []

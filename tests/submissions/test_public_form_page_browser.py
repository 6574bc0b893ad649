"""The public form page /f/<workspace>/<form>/ in headless Chromium, against Django's live server and moto's S3.

A client fills and sends a form with every field type (a conditional field, a repeatable section feeding a table,
a drawn signature, two uploads with their progress), sees the errors of a bad send next to their fields, saves a
draft and resumes it with every value, row and file, completes the form with the keyboard alone, and ends on the
confirmation with the reference. axe-core checks each state; screenshots of each go to artifacts/screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from documents.constants import DocumentStatus
from documents.models import Document
from submissions.constants import SubmissionStatus
from submissions.models import Submission
from tests.submissions.public_form_support import make_form, page_url
from tests.workflows.page_support import (
    EVERY_FIELD_SCHEMA,
    TWO_FILES_SCHEMA,
    assert_accessible,
    fill_every_field,
    hold_the_first_upload,
    pdf,
)
from tests.workflows.test_public_action_page_browser import KEYBOARD_SCHEMA, keyboard_fill, tab_to
from workspaces.models import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every upload row's states, kept in sessionStorage so the test reads them after the page has moved on.
RECORD_UPLOADS = """
new MutationObserver(() => {
  const rows = [...document.querySelectorAll('#upload-list .upload')];
  if (!rows.length) return;
  const seen = JSON.parse(sessionStorage.getItem('uploads') || '{}');
  rows.forEach((row) => {
    const states = seen[row.dataset.file] || [];
    const state = `${row.dataset.state || 'waiting'}:${row.querySelector('progress').value}`;
    if (states[states.length - 1] !== state) states.push(state);
    seen[row.dataset.file] = states;
  });
  sessionStorage.setItem('uploads', JSON.stringify(seen));
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


def test_a_client_sends_every_field_type_with_a_signature_and_two_uploads(
    browser: Any, live_server: Any, workspace: Workspace, screenshot: Any
) -> None:
    form = make_form(workspace, schema=EVERY_FIELD_SCHEMA)
    page = browser.new_page()
    page.add_init_script(RECORD_UPLOADS)
    page.goto(live_server.url + page_url(form))
    assert "Acme Compliance" in page.inner_text(".rf-eyebrow")
    assert page.inner_text("h1") == "Client onboarding"
    assert page.is_hidden("[data-path=pep_role]")
    assert_accessible(page, "empty")
    screenshot(page, "public-form-empty")

    fill_every_field(page)
    assert page.is_visible("[data-path=pep_role]")
    assert page.input_value("#f-holdings-1-holder") == "Grace Hopper"
    assert_accessible(page, "filled")
    screenshot(page, "public-form-filled")

    page.dblclick("#submit")  # a double click sends once: Send is disabled while the request is in flight
    page.wait_for_selector("#confirmation", timeout=30_000)

    submission = Submission.objects.get()
    assert page.inner_text("#reference") == submission.public_id
    assert submission.status == SubmissionStatus.COMPLETED and submission.metadata == {"source": "public_form"}
    data = submission.data
    assert data["country"] == "DE" and data["services"] == ["a", "c"] and data["is_pep"] is True
    assert [row["holder"] for row in data["holdings"]] == ["Ada Lovelace", "Grace Hopper"]
    assert data["full_name"] == "Acme Holdings"
    documents = {d.original_name: d for d in Document.objects.all()}
    assert sorted(documents) == ["certificate.pdf", "extract.pdf", "signature.png"]
    assert {d.status for d in documents.values()} == {DocumentStatus.UPLOADED}
    assert data["id_document"] == str(documents["certificate.pdf"].uuid)
    assert data["signature"] == str(documents["signature.png"].uuid)
    uploads = page.evaluate("JSON.parse(sessionStorage.getItem('uploads'))")
    assert set(uploads) == {"certificate.pdf", "extract.pdf", "signature.png"}
    assert all(states[-1] == "done:100" for states in uploads.values()), uploads
    assert_accessible(page, "confirmed")
    screenshot(page, "public-form-confirmed")


def test_errors_of_a_bad_send_are_shown_next_to_their_fields(
    browser: Any, live_server: Any, workspace: Workspace, screenshot: Any, settings: Any
) -> None:
    settings.UPLOAD_DEFAULT_MAX_BYTES = 1000
    form = make_form(workspace, schema=EVERY_FIELD_SCHEMA)
    page = browser.new_page()
    page.goto(live_server.url + page_url(form))
    big = {"name": "big.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4" + b" " * 2000}
    page.set_input_files("#f-id_document", files=[big])
    assert "big.pdf is 2 KB; the limit is 1000 bytes." in page.inner_text("#f-id_document-error")  # in the browser
    page.check("#f-is_pep-yes")
    page.fill("#f-email", "not an address")

    page.click("#submit")
    page.wait_for_selector("#error-summary:not([hidden])", timeout=20_000)

    summary = page.inner_text("#error-summary")
    assert "Full legal name is required." in summary and "Public role held is required." in summary
    assert "Shareholders 1: Shareholder name is required." in summary  # the repeat entry it is about
    assert page.inner_text("#f-full_name-error") == "Full legal name is required."
    assert page.inner_text("#f-shareholders_items-0-sh_name-error") == "Shareholder name is required."
    assert page.evaluate("document.activeElement.id") == "f-full_name"
    assert page.is_enabled("#submit")  # the client corrects and sends again
    assert Submission.objects.count() == 0 and Document.objects.count() == 0  # the big file was never signed
    assert_accessible(page, "errors")
    screenshot(page, "public-form-errors")


def test_a_client_saves_a_draft_and_resumes_it_with_every_value_row_and_file(
    browser: Any, live_server: Any, workspace: Workspace, screenshot: Any
) -> None:
    form = make_form(workspace, schema=EVERY_FIELD_SCHEMA)
    page = browser.new_page()
    page.goto(live_server.url + page_url(form))
    page.fill("#f-full_name", "Acme Holdings")
    page.set_input_files("#f-id_document", files=[pdf("certificate.pdf")])
    page.fill("#f-shareholders_items-0-sh_name", "Ada Lovelace")
    page.click("text=Add to Shareholders")
    page.fill("#f-shareholders_items-1-sh_name", "Grace Hopper")
    page.fill("#f-holdings-1-shares", "40")
    page.fill("#f-signature-typed", "Ada Lovelace")
    page.fill("#draft-email", "ada@example.com")

    page.click("#save-draft")
    page.wait_for_selector("#draft-saved", timeout=30_000)

    assert "/d/" in page.url
    assert page.input_value("#resume-link") == page.url.split("?")[0]
    assert "ada@example.com" in page.inner_text("#draft-saved")
    draft = Submission.objects.get()
    assert draft.status == SubmissionStatus.DRAFT
    # Everything is back: values, both repeat rows, the table, the uploaded file and the signature.
    assert page.input_value("#f-full_name") == "Acme Holdings"
    assert page.input_value("#f-shareholders_items-1-sh_name") == "Grace Hopper"
    assert page.input_value("#f-holdings-1-holder") == "Grace Hopper"
    assert page.input_value("#f-holdings-1-shares") == "40"
    assert "certificate.pdf (uploaded)" in page.inner_text("[data-path=id_document]")
    assert "saved signature" in page.inner_text("[data-path=signature]")
    assert_accessible(page, "resumed")
    screenshot(page, "public-form-draft-saved")

    resume = page.url.split("?")[0]
    page.goto(resume)  # the link opened again later
    page.fill("#f-email", "ops@acme.example")
    page.check("#f-is_pep-no")
    page.select_option("#f-industry", "b")
    page.fill("#f-country-search", "germ")
    page.select_option("#f-country", "DE")
    page.click("#submit")
    page.wait_for_selector("#confirmation", timeout=30_000)

    sent = Submission.objects.get()
    assert sent.pk == draft.pk and sent.status == SubmissionStatus.COMPLETED
    assert page.inner_text("#reference") == sent.public_id
    certificate = Document.objects.get(original_name="certificate.pdf")
    assert sent.data["id_document"] == str(certificate.uuid)
    assert sent.data["signature"] == str(Document.objects.get(original_name="signature.png").uuid)
    assert [row["sh_name"] for row in sent.data["shareholders_items"]] == ["Ada Lovelace", "Grace Hopper"]
    page.goto(resume)  # the link after sending: the confirmation, not the form
    assert page.is_visible("#confirmation")


def test_axe_finds_nothing_serious_while_a_file_is_uploading(
    browser: Any, live_server: Any, workspace: Workspace, s3_endpoint: str, screenshot: Any
) -> None:
    form = make_form(workspace, schema=TWO_FILES_SCHEMA)
    page = browser.new_page()
    held = hold_the_first_upload(page, s3_endpoint)
    page.goto(live_server.url + page_url(form))
    page.fill("#f-company", "Acme")
    page.set_input_files("#f-id_document", files=[pdf("certificate.pdf")])
    page.set_input_files("#f-extract", files=[pdf("extract.pdf")])
    page.click("#submit")
    page.wait_for_selector(".upload[data-state=uploading]", timeout=30_000)

    assert len(held) == 1
    assert "certificate.pdf (Registration certificate)" in page.inner_text(".upload[data-state=uploading]")
    assert "Uploading 0%" in page.inner_text(".upload[data-state=uploading]")
    # The file after it is listed already, waiting its turn.
    expect(page.locator(".upload[data-file='extract.pdf']")).to_have_text(re.compile("Waiting"))
    assert_accessible(page, "uploading")
    screenshot(page, "public-form-uploading")

    held[0].continue_()
    page.wait_for_selector("#confirmation", timeout=30_000)
    assert Submission.objects.get().status == SubmissionStatus.COMPLETED


def test_a_keyboard_alone_completes_the_public_form(browser: Any, live_server: Any, workspace: Workspace) -> None:
    """No mouse: Tab, typing, Space, arrows and Enter fill every field, add a repeat row, sign and send."""
    form = make_form(workspace, schema=KEYBOARD_SCHEMA)
    page = browser.new_page()
    page.goto(live_server.url + page_url(form))

    keyboard_fill(page)
    tab_to(page, "submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#confirmation", timeout=30_000)

    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.COMPLETED
    data = submission.data
    assert (data["company"], data["is_pep"], data["industry"]) == ("Acme", True, "a")
    assert data["owners_items"] == [{"owner_name": "Ada Lovelace"}]
    assert Document.objects.get().original_name == "signature.png"


def test_repeat_rows_keep_their_bounds_and_a_removed_row_leaves_the_table(
    browser: Any, live_server: Any, workspace: Workspace
) -> None:
    """Shareholders take 1 to 3 entries: Remove is off at 1, Add is off at 3, and the table follows a removal."""
    form = make_form(workspace, schema=EVERY_FIELD_SCHEMA)
    page = browser.new_page()
    page.goto(live_server.url + page_url(form))
    rows = page.locator("[data-section=shareholders] .rf-row")
    add = page.locator("#f-root-form-shareholders-add")
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator(".rf-remove-row")).to_be_disabled()

    for index, name in enumerate(["Ada Lovelace", "Grace Hopper", "Alan Turing"]):
        if index:
            add.click()
        page.fill(f"#f-shareholders_items-{index}-sh_name", name)
    expect(rows).to_have_count(3)
    expect(add).to_be_disabled()
    expect(page.locator("#f-holdings-2-holder")).to_have_value("Alan Turing")

    rows.nth(1).locator(".rf-remove-row").click()  # Grace Hopper leaves; Alan Turing becomes the second entry

    expect(rows).to_have_count(2)
    expect(add).to_be_enabled()
    expect(page.locator("#f-shareholders_items-1-sh_name")).to_have_value("Alan Turing")
    expect(page.locator("[data-key=holdings] tbody tr")).to_have_count(2)
    expect(page.locator("#f-holdings-1-holder")).to_have_value("Alan Turing")

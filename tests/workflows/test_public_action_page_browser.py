"""The end-client page `/actions/<token>` in headless Chromium, against Django's live server and moto's S3 server.

A client fills every field type (a conditional field, a repeatable section feeding a table, a drawn signature,
two uploads with their progress), adds a related person with a relation, sees the errors of a bad submission next
to their fields, uploads a rejected file again, and ends on the confirmation page with the reference. axe-core
checks every state; screenshots of each go to artifacts/screenshots/.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.test import APIClient

from documents.constants import DocumentStatus
from documents.models import Document
from tests.workflows.page_support import OPTIONS, assert_accessible, fill_every_field, make_rich_action, pdf
from tests.workflows.public_action_support import (
    PNG_BYTES,
    SEED_ROOT_BODY,
    make_action,
    submit_url,
)
from workflows.constants import PublicActionStatus
from workflows.models import PublicAction, Relation, SubjectRecord
from workspaces.models import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_client_completes_every_field_type_with_a_person_and_files(
    browser: Any, live_server: Any, workspace: Workspace, screenshot: Any
) -> None:
    action, token = make_rich_action(workspace)
    page = browser.new_page()
    page.goto(f"{live_server.url}/actions/{token}")
    assert "Acme Compliance" in page.inner_text(".rf-eyebrow")
    assert "This link works until" in page.inner_text(".rf-expiry")
    assert page.is_hidden("[data-path=pep_role]")  # shown only once the client says yes
    assert_accessible(page, "empty")
    screenshot(page, "public-action-empty")

    fill_every_field(page)
    assert page.is_visible("[data-path=pep_role]")
    # The table follows the repeatable section: one row per shareholder, names filled as typed.
    assert page.input_value("#f-holdings-1-holder") == "Grace Hopper"
    page.click("[data-add-entity=individual]")
    page.select_option("#rel-0-role", "director")
    page.fill("#f-role-entity-0-first_name", "Jane")
    page.fill("#f-role-entity-0-last_name", "Doe")
    assert_accessible(page, "filled")
    screenshot(page, "public-action-filled")
    sends: list[str] = []
    page.on("request", lambda request: sends.append(request.url) if request.url.endswith("/send") else None)

    page.dblclick("#submit")  # Send is disabled while the request is in flight: a double click sends once
    page.wait_for_url(f"**/actions/{token}", wait_until="load")
    page.wait_for_selector("#confirmation", timeout=30_000)
    assert len(sends) == 1, sends

    action = PublicAction.objects.get(pk=action.pk)
    assert action.status == PublicActionStatus.COMPLETED
    assert page.inner_text("#reference") == action.submission.public_id  # type: ignore[union-attr]
    data = action.submission.data  # type: ignore[union-attr]
    assert data["country"] == "DE" and data["services"] == ["a", "c"] and data["satisfaction"] == 4
    assert data["is_pep"] is True and data["pep_role"] == "Mayor"
    assert [row["holder"] for row in data["holdings"]] == ["Ada Lovelace", "Grace Hopper"]
    assert data["full_name"] == "Acme Holdings"  # markup never survives
    names = sorted(Document.objects.values_list("original_name", flat=True))
    assert names == ["certificate.pdf", "extract.pdf", "signature.png"]
    assert set(Document.objects.values_list("status", flat=True)) == {DocumentStatus.UPLOADED}
    director = SubjectRecord.objects.get(data__first_name="Jane")
    assert director.relations_from.get().role == "director"
    assert_accessible(page, "confirmed")
    screenshot(page, "public-action-confirmed")


def test_errors_are_shown_next_to_their_fields_with_a_summary(
    browser: Any, live_server: Any, workspace: Workspace, screenshot: Any
) -> None:
    action, token = make_rich_action(workspace)
    page = browser.new_page()
    page.goto(f"{live_server.url}/actions/{token}")
    page.check("#f-is_pep-yes")
    page.click("[data-add-entity=individual]")
    page.select_option("#rel-0-role", "director")

    page.click("#submit")
    page.wait_for_selector("#error-summary:not([hidden])", timeout=20_000)

    summary = page.inner_text("#error-summary")
    assert "Full legal name is required." in summary
    assert "Public role held is required." in summary
    assert "Person 1: First name is required." in summary
    assert "Shareholders 1: Shareholder name is required." in summary  # the repeat entry it is about
    assert "role-entity" not in summary and "[0]" not in summary
    assert page.inner_text("#f-full_name-error") == "Full legal name is required."
    assert page.inner_text("#f-role-entity-0-first_name-error") == "First name is required."
    assert page.inner_text("#f-shareholders_items-0-sh_name-error") == "Shareholder name is required."
    assert page.evaluate("document.activeElement.id") == "f-full_name"  # focus on the first error
    assert page.is_enabled("#submit")
    assert PublicAction.objects.get(pk=action.pk).status == PublicActionStatus.OPEN
    assert_accessible(page, "errors")
    screenshot(page, "public-action-errors")


def test_a_rejected_file_is_listed_with_its_reason_and_uploaded_again(
    browser: Any, live_server: Any, workspace: Workspace, screenshot: Any
) -> None:
    schema = {
        "fields": [
            {"key": "company", "label": "Company name", "type": "text", "required": True},
            {"key": "id_document", "label": "Registration certificate", "type": "file", "required": True},
        ]
    }
    action, token = make_rich_action(workspace, schema)
    page = browser.new_page()
    page.goto(f"{live_server.url}/actions/{token}")
    page.fill("#f-company", "Acme")
    # A PNG named .pdf: the browser cannot tell, S3 takes it, the server's check refuses it on /confirm.
    page.set_input_files(
        "#f-id_document", files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": PNG_BYTES}]
    )
    page.click("#submit")
    page.wait_for_selector(".upload input[type=file]", timeout=30_000)

    row = page.inner_text(".upload")
    assert "scan.pdf (Registration certificate)" in row and "its content is not the file type its name says" in row
    assert_accessible(page, "rejected file")
    screenshot(page, "public-action-rejected-file")
    page.set_input_files(".upload input[type=file]", files=[pdf("scan.pdf")])
    page.click(".upload .retry")
    page.wait_for_selector("#confirmation", timeout=30_000)

    assert PublicAction.objects.get(pk=action.pk).status == PublicActionStatus.COMPLETED
    assert Document.objects.get(status=DocumentStatus.UPLOADED).original_name == "scan.pdf"


def test_a_client_adds_a_company_and_its_owner_with_shares_and_removes_a_person_added_by_mistake(
    browser: Any, live_server: Any, workspace: Workspace, screenshot: Any
) -> None:
    schema = {"fields": [{"key": "company", "label": "Company name", "type": "text", "required": True}]}
    action, token = make_rich_action(workspace, schema)
    page = browser.new_page()
    page.goto(f"{live_server.url}/actions/{token}")
    page.fill("#f-company", "Acme")

    page.click("[data-add-entity=company]")  # entity 0: a company owning half of the client, with its file
    page.select_option("#rel-0-role", "owner")
    page.fill("#rel-0-share", "50")
    page.fill("#f-role-entity-0-company_name", "Holdco Ltd")
    page.set_input_files("#f-role-entity-0-company_document", files=[pdf("holdco register.pdf")])
    page.click("[data-add-entity=individual]")  # entity 1: a person owning 60% of that company
    page.select_option("#rel-1-role", "ubo")
    page.select_option("#rel-1-to", label="Company 1")
    page.fill("#rel-1-share", "60")
    page.fill("#f-role-entity-1-first_name", "Ada")
    page.fill("#f-role-entity-1-last_name", "Lovelace")
    page.click("[data-add-entity=individual]")  # entity 2: added by mistake, then removed
    page.fill("#f-role-entity-2-first_name", "Wrong")
    expect(page.locator("fieldset.entity")).to_have_count(3)
    page.locator("fieldset.entity").nth(2).locator(".entity-remove").click()
    expect(page.locator("fieldset.entity")).to_have_count(2)
    expect(page.locator("[data-add-entity=individual]")).to_be_focused()  # focus is not lost with the box
    assert_accessible(page, "parties")
    screenshot(page, "public-action-parties")

    page.click("#submit")
    page.wait_for_selector("#confirmation", timeout=30_000)

    assert PublicAction.objects.get(pk=action.pk).status == PublicActionStatus.COMPLETED
    root = action.workflow.subject_record
    holdco = SubjectRecord.objects.get(data__company_name="Holdco Ltd")
    ada = SubjectRecord.objects.get(data__first_name="Ada")
    assert not SubjectRecord.objects.filter(data__first_name="Wrong").exists()
    edges = {(r.from_record_id, r.to_record_id, r.role, r.ownership_percentage) for r in Relation.objects.all()}
    assert edges == {(holdco.pk, root.pk, "owner", Decimal("50")), (ada.pk, holdco.pk, "ubo", Decimal("60"))}
    document = Document.objects.get(original_name="holdco register.pdf")
    assert document.status == DocumentStatus.UPLOADED


KEYBOARD_SCHEMA = {
    "fields": [
        {"key": "company", "label": "Company name", "type": "text", "required": True},
        {"key": "is_pep", "label": "Politically exposed?", "type": "yesno", "required": True},
        {"key": "industry", "label": "Industry", "type": "select", "required": True, "options": OPTIONS},
        {"key": "signature", "label": "Signature", "type": "signature", "required": True},
    ],
    "sections": [
        {
            "id": "owners",
            "title": "Owners",
            "repeatable": True,
            "fields": [{"key": "owner_name", "label": "Owner name", "type": "text", "required": True}],
        }
    ],
}


def tab_to(page: Any, element_id: str) -> None:
    """Press Tab until ``element_id`` has the focus (a keyboard user reaches it), at most 80 times."""
    for _ in range(80):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with the keyboard")


def keyboard_fill(page: Any) -> None:
    """Answer ``KEYBOARD_SCHEMA`` (the one renderer's form on either page) with the keyboard alone."""
    tab_to(page, "f-company")
    page.keyboard.type("Acme")
    tab_to(page, "f-is_pep-yes")
    page.keyboard.press("Space")
    tab_to(page, "f-industry")
    page.keyboard.press("ArrowDown")
    tab_to(page, "f-signature-typed")  # the canvas has a typed alternative
    page.keyboard.type("Ada Lovelace")
    tab_to(page, "f-root-form-owners-add")
    page.keyboard.press("Enter")  # focus moves into the new row
    page.keyboard.type("Ada Lovelace")


def test_a_keyboard_alone_completes_the_page(browser: Any, live_server: Any, workspace: Workspace) -> None:
    """No mouse: Tab, typing, Space, arrows and Enter fill every field, add a row and a person, sign and send."""
    action, token = make_rich_action(workspace, KEYBOARD_SCHEMA)
    page = browser.new_page()
    page.goto(f"{live_server.url}/actions/{token}")

    keyboard_fill(page)
    tab_to(page, "add-individual")
    page.keyboard.press("Enter")  # focus moves to the new person's role
    page.keyboard.press("ArrowDown")
    tab_to(page, "f-role-entity-0-first_name")
    page.keyboard.type("Jane")
    page.keyboard.press("Tab")
    page.keyboard.type("Doe")
    tab_to(page, "submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#confirmation", timeout=30_000)

    action = PublicAction.objects.get(pk=action.pk)
    assert action.status == PublicActionStatus.COMPLETED
    data = action.submission.data  # type: ignore[union-attr]
    assert (data["company"], data["is_pep"], data["industry"]) == ("Acme", True, "a")
    assert data["owners_items"] == [{"owner_name": "Ada Lovelace"}]
    assert Document.objects.get().original_name == "signature.png"
    assert SubjectRecord.objects.get(data__first_name="Jane").relations_from.get().role == "owner"


def test_the_waiting_for_files_and_invalid_link_pages_are_accessible(
    browser: Any, live_server: Any, workspace: Workspace, screenshot: Any
) -> None:
    action, token = make_action(workspace)
    APIClient().post(submit_url(token), SEED_ROOT_BODY, format="json")
    page = browser.new_page()
    page.goto(f"{live_server.url}/actions/{token}")
    assert "passport_scan.pdf" in page.inner_text("#file-states")
    page.click("#confirm")
    page.wait_for_selector(".upload input[type=file]", timeout=20_000)
    assert page.locator(".upload").count() == 2
    assert "Not received yet" in page.inner_text("#upload-list")
    assert "(ID document)" in page.inner_text("#file-states")  # the field's label, not its key
    assert_accessible(page, "waiting for files")
    screenshot(page, "public-action-awaiting-files")

    PublicAction.objects.filter(pk=action.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page.goto(f"{live_server.url}/actions/{token}")
    assert "not valid" in page.inner_text("h1")
    assert_accessible(page, "expired link")
    screenshot(page, "public-action-expired")


def test_the_page_in_german(browser: Any, live_server: Any, workspace: Workspace, screenshot: Any) -> None:
    """Accept-Language: de gives the German page, its script's sentences included; axe checks it too."""
    _, token = make_rich_action(workspace)
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(f"{live_server.url}/actions/{token}")

    assert page.get_attribute("html", "lang") == "de"
    assert page.inner_text("#submit") == "Senden"
    page.fill("#f-about", "Hallo")
    assert page.inner_text("#f-about-counter") == "5 von 200 Zeichen"
    assert_accessible(page, "German")
    screenshot(page, "public-action-german")

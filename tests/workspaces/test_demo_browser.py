"""make run's demo, as its MEMBER reviewer meets it in headless Chromium: the seeded files' thumbnails and downloads
on the documents admin and the case page, and the workflow page (requirements, their files, the inline that adds
more) at 390 px without anything cut off."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from django.core.management import call_command
from playwright.sync_api import expect

from documents.models import Document
from submissions.models import Submission
from workflows.models import Workflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _demo_reviewer(browser: Any, live_server: Any) -> Any:
    call_command("seed_demo")
    page = browser.new_page()
    page.violations = []
    page.on("console", lambda m: page.violations.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", "demo-reviewer-password")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


def _thumbnail_loaded(page: Any, selector: str) -> None:
    image = page.locator(selector).first
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())


def _nothing_cut_off(page: Any, width: int) -> None:
    """No page-wide scroll, nothing past the right edge, and no box that has to be scrolled sideways to be read."""
    page.set_viewport_size({"width": width, "height": 844})
    wide = page.evaluate(
        f"[...document.querySelectorAll('#content *')].filter(e => e.getBoundingClientRect().right > {width + 1}"
        " || (e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)"
        " && !['INPUT', 'TEXTAREA', 'SELECT'].includes(e.tagName)))"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width and wide == [], wide


def test_the_demo_reviewer_previews_and_downloads_the_seeded_files(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    page = _demo_reviewer(browser, live_server)
    pdf = Document.objects.get(original_name="certificate-of-incorporation.pdf")

    page.goto(f"{live_server.url}/admin/documents/document/{pdf.pk}/change/")
    _thumbnail_loaded(page, "img.document-thumbnail")
    download = page.get_by_role("link", name="Download (link valid 15 minutes)").get_attribute("href")
    assert requests.get(download, timeout=10).content.startswith(b"%PDF")
    screenshot(page, "demo-document")

    case = Submission.objects.get(data__company_name="Fjord Analytics AS")
    page.goto(f"{live_server.url}/admin/submissions/submission/{case.pk}/change/")
    expect(page.get_by_text("certificate-of-incorporation.pdf").first).to_be_visible()
    _thumbnail_loaded(page, ".file img")
    screenshot(page, "demo-case-attachment")
    assert page.violations == []


def test_the_demo_workflow_page_fits_a_laptop_and_a_phone(browser: Any, live_server: Any, screenshot: Any) -> None:
    page = _demo_reviewer(browser, live_server)
    workflow = Workflow.objects.get(subject_record__reference="DEMO-NORTHWIND")

    page.goto(f"{live_server.url}/admin/workflows/workflow/{workflow.pk}/change/")
    expect(page.locator("#requirements").get_by_text("certificate-of-incorporation.pdf")).to_be_visible()
    expect(page.locator("#requirements").get_by_text("utility-bill.png")).to_be_visible()
    _nothing_cut_off(page, 1280)
    _nothing_cut_off(page, 390)
    # On a phone each required document of the inline is a block, every field under its own heading.
    name_cell = page.locator("fieldset.stack-inline tbody tr.has_original td.field-name").first
    assert name_cell.get_attribute("data-label") == "Name"
    assert page.evaluate("getComputedStyle(document.querySelector('fieldset.stack-inline thead')).display") == "none"
    screenshot(page, "demo-workflow")
    assert page.violations == []

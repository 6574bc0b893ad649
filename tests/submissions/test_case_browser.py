"""A reviewer's case in headless Chromium: reading it (thumbnails load under the CSP), acting on it, comparing two
versions side by side and rolling back, as the demo OWNER and MEMBER would."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from documents import s3
from documents.models import Document
from submissions.models import FormVersion, Submission
from submissions.services import submission_update
from tests.documents.factories import UploadedDocumentFactory
from tests.submissions.test_case_page import CASE_SCHEMA
from tests.uploads import png_bytes
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_at_390px(page: Any) -> None:
    """Nothing wider than a 390 px phone: no page-wide horizontal scroll, nothing cut off at the right edge."""
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    assert width <= 390, wide


def _styled_as_an_admin_button(button: Any) -> bool:
    """Does the button wear the admin's button style (the background, colour and corners of an `a.button`)?"""
    return bool(
        button.evaluate(
            """b => {
              const probe = document.createElement('a'); probe.className = 'button'; document.body.append(probe);
              const [mine, admin] = [getComputedStyle(b), getComputedStyle(probe)];
              const same = ['backgroundColor', 'color', 'borderRadius', 'borderStyle'].every(k => mine[k] === admin[k]);
              probe.remove(); return same;
            }"""
        )
    )


def _logged_in_page(browser: Any, live_server: Any, user: Any) -> Any:
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.violations = []
    page.on(
        "console", lambda message: page.violations.append(message.text) if "Content Security" in message.text else None
    )
    return page


@pytest.fixture
def photo(workspace: Workspace) -> Document:
    document: Document = UploadedDocumentFactory.create(
        workspace=workspace, original_name="passport-jane.png", content_type="image/png", size=4000
    )
    s3.put_object(document.final_key, png_bytes((480, 320), "steelblue"), "image/png")
    return document


@pytest.fixture
def case(
    workspace: Workspace,
    publish_form: Callable[..., FormVersion],
    make_submission: Callable[..., Submission],
    photo: Document,
    member_of: Callable[..., Any],
) -> Submission:
    client = member_of(workspace, Role.MEMBER, first_name="Clara", last_name="Client")
    data = {
        "full_name": "Jane Smith",
        "email": "jane@example.com",
        "country": "GB",
        "overall_rating": 4,
        "risk_flags": ["pep"],
        "is_pep": True,
        "pep_role": "Member of a municipal council",
        "entity_type": "llc",
        "passport": str(photo.uuid),
        "comments": "Director since 2019.",
        "section_shareholders_items": [
            {"shareholder_name": "Bob Brown", "shareholder_address": "123 Main St, Leeds"},
            {"shareholder_name": "Sarah Stone", "shareholder_address": "456 Oak Ave, York"},
        ],
        "share_allocation": [
            {"name": "Bob Brown", "shares": 600, "class": "ordinary"},
            {"name": "Sarah Stone", "shares": 400, "class": "preference"},
        ],
    }
    submission = make_submission(publish_form(workspace, CASE_SCHEMA, title="Company onboarding"), data, user=client)
    edited = copy.deepcopy(submission.data)
    edited["email"] = "jane.smith@example.co.uk"
    edited["section_shareholders_items"][1]["shareholder_address"] = "12 New Road, York"
    edited["section_shareholders_items"].append({"shareholder_name": "Tom Tall", "shareholder_address": "1 Hill Rd"})
    edited["share_allocation"] = [
        {"name": "Bob Brown", "shares": 500, "class": "ordinary"},
        {"name": "Sarah Stone", "shares": 300, "class": "preference"},
        {"name": "Tom Tall", "shares": 200, "class": "ordinary"},
    ]
    submission_update(submission=submission, acting_user=None, data=edited)
    return submission


def test_a_member_reads_a_case_and_works_on_it(
    browser: Any,
    live_server: Any,
    workspace: Workspace,
    case: Submission,
    member_of: Callable[..., Any],
    screenshot: Any,
) -> None:
    reviewer = member_of(workspace, Role.MEMBER, is_staff=True, first_name="Rita", last_name="Reviewer")
    page = _logged_in_page(browser, live_server, reviewer)
    page.goto(f"{live_server.url}/admin/submissions/submission/{case.pk}/change/")

    answers = page.locator("#answers-title + *").first
    expect(page.get_by_text("United Kingdom (GB)")).to_be_visible()
    expect(page.get_by_text("Member of a municipal council")).to_be_visible()  # shown: its condition holds
    expect(page.get_by_role("link", name="passport-jane.png")).to_be_visible()
    thumbnail = page.locator(".file img").first
    thumbnail.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    assert answers is not None and page.violations == []

    page.select_option("#id_status", "PENDING")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("Status changed to Pending")).to_be_visible()
    page.select_option("#id_user", str(reviewer.pk))
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Assigned to Rita Reviewer.")).to_be_visible()
    page.fill("#id_content", "Asked the client for a certified copy of the passport.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Note added.")).to_be_visible()
    expect(page.locator(".timeline").get_by_text("Reassigned to Rita Reviewer")).to_be_visible()
    assert page.get_by_role("button", name="Roll back to v1").count() == 0  # a MEMBER does not roll back
    _fits_at_390px(page)
    screenshot(page, "case")
    case.refresh_from_db()
    assert case.status == "PENDING" and case.user == reviewer and case.notes.count() == 1


def test_an_owner_compares_two_versions_and_rolls_back(
    browser: Any,
    live_server: Any,
    workspace: Workspace,
    case: Submission,
    member_of: Callable[..., Any],
    screenshot: Any,
) -> None:
    owner = member_of(workspace, Role.OWNER, is_staff=True, first_name="Olivia", last_name="Owner")
    page = _logged_in_page(browser, live_server, owner)
    page.goto(f"{live_server.url}/admin/submissions/submission/{case.pk}/history/")
    assert page.locator(".versions tbody tr").count() == 2
    expect(page.locator(".versions").get_by_text("System")).to_have_count(2)  # the fixture writes as a command does

    page.get_by_role("button", name="Compare the selected versions").click()
    expect(page.get_by_text("version 1 against version 2")).to_be_visible()
    changed = page.locator("tr.diff-changed th")
    assert "Email" in changed.all_inner_texts()[0]
    expect(page.locator("tr.diff-added th").filter(has_text="Shareholders · row 3")).to_be_visible()
    expect(page.locator(".cell-changed").filter(has_text="12 New Road, York")).to_be_visible()
    _fits_at_390px(page)
    screenshot(page, "case-diff")

    rollback = page.get_by_role("button", name="Roll back to v1")
    assert _styled_as_an_admin_button(rollback)
    rollback.click()
    expect(page.get_by_text("Rolled back to version 1 (a new snapshot).")).to_be_visible()
    expect(page.locator(".versions tbody tr")).to_have_count(3)  # the page may still be arriving below its message
    expect(page.locator(".versions").get_by_text("Olivia Owner")).to_be_visible()
    assert _styled_as_an_admin_button(page.locator(".versions").get_by_role("button", name="Roll back to v2"))
    screenshot(page, "case-rollback")
    case.refresh_from_db()
    assert case.data["email"] == "jane@example.com" and len(case.data["section_shareholders_items"]) == 2

"""A reviewer asks for a workflow's evidence pack in headless Chromium: the button, the status page that refreshes
itself until the pack is ready, and the download of the PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.evidence.support import reviewed_workflow
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_generates_and_opens_a_pack(
    browser: Any,
    live_server: Any,
    screenshot: Callable[[Any, str], Any],
    workspace: Workspace,
    owner: Any,
    member_of: Callable[..., Any],
) -> None:
    reviewer = member_of(workspace, Role.MEMBER, first_name="Rita", last_name="Reviewer", is_staff=True)
    reviewed = reviewed_workflow(workspace, owner=owner, reviewer=reviewer)
    client = Client()
    client.force_login(reviewer)
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else None)

    page.goto(f"{live_server.url}/admin/workflows/workflow/{reviewed.workflow.pk}/change/")
    page.get_by_role("button", name="Generate evidence pack (PDF + JSON)").click()
    # Eager tasks: the pack is generated as the request commits, so the status page shows it ready.
    expect(page.get_by_role("status")).to_contain_text("Ready", timeout=30_000)
    screenshot(page, "evidence-pack-status")
    with page.expect_response(lambda r: ".pdf" in r.url) as pdf_response:
        page.get_by_role("link", name="Download the PDF").click()
    assert pdf_response.value.headers["content-type"] == "application/pdf"
    assert not violations, violations

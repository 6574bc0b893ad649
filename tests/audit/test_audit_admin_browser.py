"""The audit log in the admin, in headless Chromium, as a workspace OWNER reads it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.workflows.test_workflow_admin_browser import admin_page
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_an_owner_reads_who_did_what(
    browser: Any, live_server: Any, workspace: Workspace, submission: Any, screenshot: Callable[[Any, str], Any]
) -> None:
    page = admin_page(browser, live_server, workspace, role=Role.OWNER)  # signs in through the login form
    page.goto(f"{live_server.url}/admin/submissions/submission/{submission.pk}/change/")
    page.goto(f"{live_server.url}/admin/audit/auditevent/")

    rows = page.locator("#result_list tbody tr")
    rows.first.wait_for()
    text = page.locator("#result_list").inner_text()
    assert "Signed in" in text and "Submission read" in text and submission.public_id in text
    assert "127.0.0.1" in text and "rev-owner" in text
    assert page.locator(".object-tools .addlink").count() == 0 and page.locator("select[name=action]").count() == 0
    screenshot(page, "audit-log-admin")

    page.locator("#result_list tbody tr a").first.click()
    page.wait_for_selector("fieldset")
    assert page.locator("input[name=_save]").count() == 0
    screenshot(page, "audit-event-admin")

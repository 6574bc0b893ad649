"""The form's admin page and its preview in headless Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from submissions.services import form_create
from tests.submissions.schemas import SEED_FORM_SCHEMA
from tests.workflows.test_workflow_admin_browser import admin_page
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_admin_edits_a_schema_sees_its_error_then_previews_and_publishes(
    browser: Any, live_server: Any, workspace: Workspace, screenshot: Callable[[Any, str], Any]
) -> None:
    form = form_create(workspace=workspace, title="Client onboarding", schema=SEED_FORM_SCHEMA, acting_user=None)
    page = admin_page(browser, live_server, workspace, Role.ADMIN)
    change = f"{live_server.url}/admin/submissions/form/{form.pk}/change/"
    page.goto(change)

    page.fill("#id_schema", '{"fields": [{"key": "a", "type": "colour", "label": "A"}]}')
    page.click("input[name=_continue]")
    page.wait_for_selector(".errorlist")
    assert "unknown field type 'colour'" in page.inner_text(".field-schema .errorlist")
    screenshot(page, "form-schema-error")

    page.goto(change)
    with page.context.expect_page() as opened:
        page.click("#form-preview-link")
    preview = opened.value
    preview.wait_for_load_state()
    assert SEED_FORM_SCHEMA["fields"][0]["label"] in preview.inner_text("body")
    page.click("#publish-form")
    page.wait_for_selector(".messagelist")
    assert "Published version 1" in page.inner_text(".messagelist")
    screenshot(page, "form-published")

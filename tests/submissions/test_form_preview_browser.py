"""A form's preview page in headless Chromium: conditions live, the server's check on send, axe, screenshots."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.submissions.test_form_preview import SCHEMA
from tests.workflows.public_action_support import form_version
from tests.workflows.test_public_action_page_browser import assert_accessible
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_author_tries_the_form_in_its_preview(
    browser: Any, live_server: Any, workspace: Workspace, member_of: Any, screenshot: Any
) -> None:
    version = form_version(workspace, SCHEMA, "kyc")
    client = Client()
    client.force_login(member_of(workspace, Role.VIEWER, is_staff=True))
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + reverse("submissions:form-version-preview", args=[version.public_id]))
    assert page.is_hidden("[data-path=pep_role]")
    page.check("#f-is_pep-yes")
    assert page.is_visible("[data-path=pep_role]")

    page.click("#submit")
    page.wait_for_selector("#error-summary:not([hidden])")

    assert page.inner_text("#f-company-error") == "Company name is required."
    assert page.evaluate("document.activeElement.id") == "f-company"
    assert_accessible(page, "preview with errors")
    screenshot(page, "form-preview-errors")

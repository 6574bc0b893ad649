"""The workflow page in headless Chromium, as a reviewer logged in to the admin uses it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.workflows.test_ownership_admin import build_group
from tests.workspaces.factories import MembershipFactory, UserFactory
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.browser
PASSWORD = "a-reviewer-password"


def admin_page(browser: Any, live_server: Any, workspace: Workspace, role: Role = Role.MEMBER) -> Any:
    """A browser page logged in to the admin, through its login form, as a staff user with ``role``."""
    user = UserFactory.create(username=f"rev-{role.value.lower()}", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory.create(user=user, workspace=workspace, role=role)
    page = browser.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


@pytest.mark.django_db(transaction=True)
def test_reviewer_reads_the_ownership_tree(
    browser: Any, live_server: Any, workspace: Workspace, screenshot: Callable[[Any, str], Any]
) -> None:
    workflow = build_group(workspace)
    page = admin_page(browser, live_server, workspace)

    page.goto(f"{live_server.url}/admin/workflows/workflow/{workflow.pk}/change/")

    tree = page.locator("#ownership")
    tree.wait_for()
    assert "Anna Alpha" in tree.inner_text()
    assert page.locator("#ownership-parties tr[data-ubo=yes]").count() == 2
    screenshot(page, "workflow-ownership-tree")

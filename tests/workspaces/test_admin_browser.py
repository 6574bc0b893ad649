"""The workspace admin in headless Chromium: an ADMIN makes an API key, copies its secret once, revokes it; the
members page reads at 390 px."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from workspaces.constants import Role
from workspaces.models import ApiKey, Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page_as(browser: Any, live_server: Any, user: Any) -> Any:
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context.new_page()


def test_an_admin_creates_a_key_copies_its_secret_once_and_revokes_it(
    browser: Any, live_server: Any, workspace: Workspace, member_of: Callable[..., Any], screenshot: Any
) -> None:
    page = _page_as(browser, live_server, member_of(workspace, Role.ADMIN, is_staff=True))
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security" in message.text else None)

    page.goto(f"{live_server.url}/admin/workspaces/apikey/add/")
    page.get_by_label("Workspace").select_option(label=workspace.name)
    page.get_by_label("Name").fill("ERP connector")
    page.get_by_label("Role").select_option(label="Member")
    page.get_by_role("button", name="Save", exact=True).click()

    secret = page.locator("#new-secret")
    expect(secret).to_have_value(ApiKey.objects.get().prefix + secret.input_value()[10:])
    page.get_by_role("button", name="Copy secret").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret.input_value()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(page, "api-key-created")

    page.reload()
    expect(page.locator("#new-secret")).to_have_count(0)
    page.get_by_role("button", name="Revoke this key").click()
    expect(page.get_by_text("requests with it are refused from now on")).to_be_visible()
    assert ApiKey.objects.get().revoked_at is not None
    assert blocked == []


def test_the_members_of_a_workspace_fit_at_390px(
    browser: Any, live_server: Any, workspace: Workspace, member_of: Callable[..., Any], screenshot: Any
) -> None:
    owner = member_of(workspace, Role.OWNER, is_staff=True, username="olivia.owner")
    for role in (Role.ADMIN, Role.MEMBER, Role.VIEWER):
        member_of(workspace, role, username=f"a.{role.lower()}.with.a.long.login")
    page = _page_as(browser, live_server, owner)

    page.goto(f"{live_server.url}/admin/workspaces/workspace/{workspace.pk}/change/")
    expect(page.get_by_text("a.viewer.with.a.long.login (Viewer)")).to_be_visible()  # who: fixed once added
    page.get_by_role("button", name="Add another Member").click()
    page.locator("#id_memberships-4-username").fill("nobody.here")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("No active user with this login.")).to_be_visible()
    screenshot(page, "workspace-members")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

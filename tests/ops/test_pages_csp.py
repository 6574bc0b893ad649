"""Every page works under the Content-Security-Policy: no inline script or style, nothing from another origin."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from submissions.models import Submission
from submissions.services import share_link_create
from tests.workflows.public_action_support import make_action
from workspaces.models import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script (through the DevTools protocol, so the policy does not apply to it).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _open(page: Any, url: str, status: int = 200) -> list[str]:
    """Load a page under the policy; answer the violations it caused."""
    response = page.goto(url, wait_until="networkidle")
    assert response.status == status, url
    assert "script-src 'self'" in response.headers["content-security-policy"]
    return list(page.evaluate("window.__cspViolations"))


def _page(browser: Any, live_server: Any) -> tuple[Any, list[str]]:
    page = browser.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    elsewhere: list[str] = []
    page.on(
        "request", lambda request: None if request.url.startswith(live_server.url) else elsewhere.append(request.url)
    )
    return page, elsewhere


def test_public_pages_run_their_scripts_under_the_policy(
    browser: Any, live_server: Any, workspace: Workspace, submission: Submission
) -> None:
    _, token = make_action(workspace)
    _, share_token = share_link_create(submission=submission, acting_user=None)
    page, elsewhere = _page(browser, live_server)

    assert _open(page, f"{live_server.url}/actions/{token}") == []
    # The page's script (a static file now) rendered the form from its schema.
    assert page.locator("#f-root-form input").count() > 0
    assert _open(page, f"{live_server.url}/actions/not-a-token", status=404) == []
    assert _open(page, f"{live_server.url}/share/{share_token}/") == []
    assert page.locator("h1").inner_text() == submission.form.title
    assert _open(page, f"{live_server.url}/") == []
    assert page.locator("header").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(35, 52, 79)"
    assert elsewhere == []


def test_api_docs_are_served_from_our_own_static_files(browser: Any, live_server: Any) -> None:
    page, elsewhere = _page(browser, live_server)

    assert _open(page, live_server.url + reverse("api-docs")) == []
    page.wait_for_selector(".opblock", timeout=15000)  # Swagger UI rendered the schema's operations
    assert elsewhere == []


def test_the_admin_works_under_the_policy(browser: Any, live_server: Any, submission: Submission) -> None:
    User.objects.create_superuser("operator", "operator@example.com", "operator-password")
    page, elsewhere = _page(browser, live_server)
    assert _open(page, f"{live_server.url}/admin/login/") == []
    page.fill("#id_username", "operator")
    page.fill("#id_password", "operator-password")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
    urls.append(reverse("admin:submissions_submission_change", args=[submission.pk]))
    urls.append(reverse("admin:submissions_submission_history", args=[submission.pk]))
    violations = {url: found for url in urls if (found := _open_admin(page, live_server.url + url))}
    assert violations == {}
    assert elsewhere == []


def _open_admin(page: Any, url: str) -> list[str]:
    response = page.goto(url, wait_until="networkidle")
    # An add page the operator may not use (history-only models) answers 403; it still carries the policy.
    assert response.status in (200, 403), url
    return list(page.evaluate("window.__cspViolations"))

"""The workflow page in headless Chromium, as a reviewer logged in to the admin uses it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.uploads import pdf_bytes
from tests.workflows.factories import RequiredDocumentFactory, SubjectRecordFactory, WorkflowFactory
from tests.workflows.page_support import assert_accessible
from tests.workflows.test_ownership_admin import build_group
from tests.workflows.test_workflow_review_admin import uploaded_fulfillment
from tests.workspaces.factories import MembershipFactory, UserFactory
from workflows.models import Fulfillment
from workspaces.constants import Role
from workspaces.models import Workspace

PDF = pdf_bytes()  # a real PDF: the content check after acceptance opens it

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


@pytest.mark.django_db(transaction=True)
def test_reject_request_a_revision_client_reuploads_and_reviewer_accepts(
    browser: Any, live_server: Any, workspace: Workspace, screenshot: Callable[[Any, str], Any]
) -> None:
    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    requirement = RequiredDocumentFactory.create(workflow=workflow, name="Passport", requirement_text="Valid passport")
    first = uploaded_fulfillment(workflow, requirement, "old passport.pdf")
    reviewer = admin_page(browser, live_server, workspace)
    workflow_url = f"{live_server.url}/admin/workflows/workflow/{workflow.pk}/change/"
    reviewer.goto(workflow_url)

    reviewer.fill(f"#reason-{first.public_id}", "The photo is blurred.")
    reviewer.click(f"tr[data-fulfillment={first.public_id}] button[value=REJECTED]")
    reviewer.wait_for_selector(f"tr[data-fulfillment={first.public_id}][data-decision=REJECTED]")
    reviewer.fill(
        f"#revision-{requirement.public_id}", "The photo is blurred: please send a sharp scan of your passport."
    )
    reviewer.click(f"div[data-requirement={requirement.public_id}] .wf-revision button")
    reviewer.wait_for_selector("#new-link-url")
    reviewer.click("[data-copy=new-link-url]")
    # The copy awaits the clipboard before the button says so.
    expect(reviewer.locator("[data-copy=new-link-url]")).to_have_text("Copied")
    link = reviewer.input_value("#new-link-url")
    screenshot(reviewer, "workflow-revision-requested")

    client = browser.new_page()
    client.goto(link)
    assert "please send a sharp scan of your passport" in client.inner_text("#revision-message")
    assert_accessible(client, "revision request")
    screenshot(client, "revision-request-client")
    client.set_input_files(
        f"#file-{requirement.public_id}",
        files=[{"name": "sharp passport.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    client.click("#revision-send")
    client.wait_for_selector("#revision-status[data-state=completed], #revision-status[data-state=error]")
    assert client.get_attribute("#revision-status", "data-state") == "completed", client.inner_text("#revision-status")
    assert_accessible(client, "revision sent")
    screenshot(client, "revision-request-sent")

    reviewer.goto(workflow_url)
    new = Fulfillment.objects.filter(required_document=requirement).exclude(pk=first.pk).get()
    assert new.subject_document.document.original_name == "sharp passport.pdf"
    reviewer.click(f"tr[data-fulfillment={new.public_id}] button[value=ACCEPTED]")
    reviewer.wait_for_selector(f"div[data-requirement={requirement.public_id}] [data-status=ACCEPTED]")
    assert reviewer.locator(f"tr[data-fulfillment={first.public_id}][data-decision=REJECTED]").count() == 1
    screenshot(reviewer, "workflow-decision-accepted")
    for width in (1280, 390):  # the page, its requirements inline included, is never wider than the screen
        reviewer.set_viewport_size({"width": width, "height": 800})
        assert reviewer.evaluate("document.documentElement.scrollWidth") <= width

"""The review queue in headless Chromium: a reviewer logs in, filters to the unassigned cases and claims one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from submissions.models import Submission
from submissions.services import matter_create, matter_link_submission, submission_update
from workspaces.constants import Role

pytestmark = pytest.mark.browser

PEOPLE = ["Jane Smith", "Acme Holdings Ltd", "Oskar Lindqvist", "María José Fernández", "Chen Wei", "Amara Okafor"]
SCHEMA = {
    "fields": [
        {"key": "full_name", "label": "Full name", "type": "text"},
        {"key": "email", "label": "Email", "type": "email"},
    ]
}


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_filters_the_queue_and_claims_a_case(
    browser: Any,
    screenshot: Any,
    live_server: Any,
    workspace: Any,
    member_of: Any,
    publish_form: Any,
    make_submission: Any,
) -> None:
    reviewer = member_of(workspace, Role.MEMBER, is_staff=True, username="rita", first_name="Rita", last_name="Lane")
    reviewer.set_password("queue-test-password")
    reviewer.save()
    colleague = member_of(workspace, Role.MEMBER, first_name="Sam", last_name="Okoro")
    onboarding = publish_form(workspace, schema=SCHEMA, title="Client onboarding")
    periodic = publish_form(workspace, schema=SCHEMA, title="Periodic review")
    rows = []
    for n, name in enumerate(PEOPLE):
        version = onboarding if n % 2 == 0 else periodic
        rows.append(make_submission(version, data={"full_name": name, "email": f"client{n}@example.com"}))
        Submission.objects.filter(pk=rows[-1].pk).update(created_at=timezone.now() - timedelta(hours=5 * n + 1))
    submission_update(submission=rows[1], user_id=colleague.pk, acting_user=None)
    matter_link_submission(
        matter=matter_create(workspace=workspace, title="Acme onboarding", acting_user=None),
        submission=rows[1],
        acting_user=None,
    )

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/submissions/submission/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "queue-test-password")
    page.click("input[type=submit]")
    page.wait_for_selector("#result_list")
    assert "Acme Holdings Ltd" in page.inner_text("#result_list")

    page.click("#changelist-filter a:has-text('Nobody')")
    page.wait_for_url("**assignee=nobody**")
    table = page.inner_text("#result_list")
    assert "Acme Holdings Ltd" not in table and "Jane Smith" in table

    page.check(f"input.action-select[value='{rows[0].pk}']")
    page.select_option("select[name=action]", "claim")
    page.click("button[name=index]")
    page.wait_for_selector("ul.messagelist")
    assert "Assigned 1 submission(s) to you." in page.inner_text("ul.messagelist")

    page.goto(f"{live_server.url}/admin/submissions/submission/")
    row = page.locator("#result_list tr", has_text="Jane Smith")
    assert "Rita Lane" in row.inner_text() and "unread" in row.inner_text()
    screenshot(page, "queue")
    rows[0].refresh_from_db()
    assert rows[0].user_id == reviewer.pk
    page.close()

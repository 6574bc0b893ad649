"""The end-client pages once their link no longer works, in headless Chromium: a closed form, an expired
invitation, a revoked share link, an expired revision request and a revoked public action each answer a clear
page in words with nothing of the case on it, and axe-core finds nothing serious there.
Screenshots go to artifacts/screenshots/ (ended-*).

(The public action's own expired page is checked in test_public_action_page_browser.py.)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.test import APIClient

from submissions.services import submission_create
from tests.submissions.public_form_support import invite, make_form, page_url
from tests.workflows.factories import RequiredDocumentFactory, SubjectRecordFactory, WorkflowFactory
from tests.workflows.page_support import assert_accessible
from tests.workflows.public_action_support import make_action
from tests.workflows.test_workflow_review_admin import uploaded_fulfillment
from workflows.models import RevisionRequest
from workflows.services.public_actions import public_action_revoke
from workspaces.models import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "Jane Secretsson"


def test_every_ended_link_answers_a_clear_accessible_page_without_data(
    browser: Any, live_server: Any, workspace: Workspace, api_client: APIClient, screenshot: Any
) -> None:
    closed = make_form(workspace, is_public=False, slug="closed")
    invited = make_form(workspace, is_public=False, slug="invited")
    invitation = invite(invited, expired=True)
    submission = submission_create(
        workspace=workspace,
        form_version=invited.versions.get(),
        data={"full_name": SECRET, "email": "jane@example.com"},
        acting_user=None,
    )
    share = api_client.post(reverse("submission-share", args=[submission.public_id])).json()["shareUrl"]
    assert api_client.delete(reverse("submission-share", args=[submission.public_id])).status_code == 200
    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    requirement = RequiredDocumentFactory.create(workflow=workflow, name="Passport of Jane Secretsson")
    uploaded_fulfillment(workflow, requirement)
    revision = api_client.post(
        reverse("revision-request-create"),
        {"workflow_id": workflow.public_id, "required_document_ids": [requirement.public_id], "message": SECRET},
        format="json",
    ).json()["revision_request"]
    RevisionRequest.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    action, action_token = make_action(workspace)
    public_action_revoke(action=action, acting_user=None)

    pages = [
        ("ended-closed-form", page_url(closed), "This form is not available", "ask the sender for a new link"),
        ("ended-invitation", page_url(invited, invitation, "invitation"), "This form is not available", "new link"),
        ("ended-share", share.split("testserver", 1)[1], "This link is not available", "expired or was revoked"),
        ("ended-revision-request", f"/actions/{revision['token']}", "This link is not valid", "has expired"),
        (
            "ended-public-action-revoked",
            f"/actions/{action_token}",
            "This link is not valid",
            "withdrawn by its sender",
        ),
    ]
    page = browser.new_page()
    for name, path, heading, words in pages:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 404, (name, response and response.status)
        expect(page.locator("h1")).to_have_text(heading)
        expect(page.locator("main")).to_contain_text(words)
        assert SECRET not in page.content() and submission.public_id not in page.content(), name
        assert_accessible(page, name)
        screenshot(page, name)

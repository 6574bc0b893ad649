"""What other apps rely on: submission_create records a submission with its metadata (the public action flow)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from config.errors import ValidationFailed
from submissions.services import submission_create


def test_another_app_records_a_submission(api_client: Any, workspace: Any, form_version: Any) -> None:
    submission = submission_create(
        workspace=workspace,
        form_version=form_version,
        data={
            "full_name": "Jane",
            "email": "jane@example.com",
            "section_shareholders_items": [{"shareholder_name": "Bob"}],
        },
        metadata={"source": "public_action", "public_action_id": "pa_x"},
        acting_user=None,
    )
    body = api_client.get(reverse("submission-detail", args=[submission.public_id])).json()
    assert body["metadata"] == {"source": "public_action", "public_action_id": "pa_x"}
    assert body["status"] == "COMPLETED"
    assert submission.history.get().history_change_reason == "create"


def test_it_validates_unless_told_the_data_is_clean(workspace: Any, form_version: Any, other_workspace: Any) -> None:
    with pytest.raises(ValidationFailed):
        submission_create(workspace=workspace, form_version=form_version, data={"nope": 1}, acting_user=None)
    kept = submission_create(
        workspace=workspace, form_version=form_version, data={"as": "sent"}, acting_user=None, prevalidated=True
    )
    assert kept.data == {"as": "sent"}
    with pytest.raises(Exception, match="another workspace"):
        submission_create(
            workspace=other_workspace, form_version=form_version, data={}, acting_user=None, prevalidated=True
        )


def test_error_shape_on_submission_routes(api_client: Any, submission: Any) -> None:
    url = reverse("submission-detail", args=[submission.public_id])
    for response, status, code in (
        (api_client.put(url, {}, format="json"), 405, "METHOD_NOT_ALLOWED"),
        (api_client.patch(url, "{broken", content_type="application/json"), 400, "PARSE_ERROR"),
        (api_client.get(reverse("submission-detail", args=["SUB-NOPE"])), 404, "SUBMISSION_NOT_FOUND"),
    ):
        assert response.status_code == status
        body = response.json()
        assert (
            set(body) == {"success", "error", "code", "details"} and body["success"] is False and body["code"] == code
        )
    from rest_framework.test import APIClient

    assert APIClient().get(reverse("submission-list")).status_code == 401

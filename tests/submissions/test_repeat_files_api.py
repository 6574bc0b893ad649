"""POST /api/submissions with files inside repeat rows: each is an accepted upload of the caller's workspace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from documents.constants import DocumentStatus
from submissions.models import FormVersion, Submission
from tests.documents.factories import UploadedDocumentFactory
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

SCHEMA: dict[str, Any] = {
    "fields": [{"key": "company", "label": "Company", "type": "text"}],
    "sections": [
        {
            "id": "directors",
            "repeatable": True,
            "fields": [
                {"key": "name", "label": "Name", "type": "text"},
                {"key": "passport", "label": "Passport", "type": "file", "constraints": {"accept": ["pdf"]}},
            ],
        }
    ],
}


@pytest.fixture
def version(workspace: Workspace, publish_form: Callable[..., FormVersion]) -> FormVersion:
    return publish_form(workspace, SCHEMA, title="Directors")


def _create(client: APIClient, version: FormVersion, rows: list[dict[str, Any]]) -> Any:
    body = {"formId": version.form.public_id, "data": {"company": "Acme", "directors_items": rows}}
    return client.post(reverse("submission-list"), body, format="json")


def test_uploaded_files_in_repeat_rows_are_stored_in_their_rows(
    api_client: APIClient, workspace: Workspace, version: FormVersion
) -> None:
    first, second = UploadedDocumentFactory.create_batch(2, workspace=workspace)

    response = _create(
        api_client,
        version,
        [{"name": "Ann", "passport": str(first.uuid)}, {"name": "Bob", "passport": str(second.uuid)}],
    )

    assert response.status_code == 201, response.content
    stored = Submission.objects.get(public_id=response.json()["id"]).data["directors_items"]
    assert [row["passport"] for row in stored] == [str(first.uuid), str(second.uuid)]


@pytest.mark.parametrize("problem", ["other_workspace", "not_uploaded", "wrong_type"])
def test_a_bad_file_in_a_repeat_row_is_a_400_naming_the_row(
    api_client: APIClient, workspace: Workspace, other_workspace: Workspace, version: FormVersion, problem: str
) -> None:
    good = UploadedDocumentFactory.create(workspace=workspace)
    bad = {
        "other_workspace": lambda: UploadedDocumentFactory.create(workspace=other_workspace),
        "not_uploaded": lambda: UploadedDocumentFactory.create(
            workspace=workspace, status=DocumentStatus.AWAITING_UPLOAD
        ),
        "wrong_type": lambda: UploadedDocumentFactory.create(
            workspace=workspace, original_name="photo.png", content_type="image/png"
        ),
    }[problem]()

    response = _create(
        api_client, version, [{"name": "Ann", "passport": str(good.uuid)}, {"name": "Bob", "passport": str(bad.uuid)}]
    )

    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["code"] == "VALIDATION_ERROR"
    assert list(body["details"]["fields"]) == ["directors_items[1].passport"]
    assert not Submission.objects.exists()

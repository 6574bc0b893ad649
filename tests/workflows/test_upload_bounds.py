"""Bounds on the files of one request: per field, per request, the length of a file name, and each file's size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse
from rest_framework.test import APIClient

from documents.constants import DocumentStatus
from documents.models import Document
from submissions.models import Submission
from tests.workflows.public_action_support import (
    PDF_BYTES,
    SEED_ROOT_BODY,
    confirm_url,
    form_version,
    make_action,
    submit_url,
    upload_all,
)
from workflows.constants import PublicActionStatus
from workflows.models import PublicAction, SubjectRecord
from workspaces.models import Workspace

MULTI_FILE_SCHEMA: dict[str, Any] = {
    "fields": [{"key": "statements", "label": "Bank statements", "type": "file", "constraints": {"multiple": True}}]
}


def assert_refused(response: Any, field: str, message: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["success"] is False and body["code"] == "VALIDATION_ERROR"
    assert any(message in text for text in body["details"]["fields"].get(field, [])), body
    assert Document.objects.count() == 0 and Submission.objects.count() == 0


def test_a_file_field_takes_at_most_20_files(workspace: Workspace) -> None:
    action, token = make_action(workspace)
    action.form_version = form_version(workspace, MULTI_FILE_SCHEMA, "multi")
    action.save()
    names = [f"statement-{n}.pdf" for n in range(21)]

    response = APIClient().post(submit_url(token), {"statements": names}, format="json")

    assert_refused(response, "statements", "At most 20 file(s).")
    accepted = APIClient().post(submit_url(token), {"statements": names[:20]}, format="json")
    assert accepted.status_code == 200 and len(accepted.json()["fileUploads"]) == 20


def test_101_files_in_one_request_are_refused(workspace: Workspace) -> None:
    _, token = make_action(workspace)
    people = [
        {
            "reference": f"p-{n}",
            "customer_type": "individual",
            "first_name": "A",
            "last_name": "B",
            "id_document": f"{n}.pdf",
        }
        for n in range(99)
    ]
    body = {"id_document": "a.pdf", "proof_of_address": "b.pdf", "role-entity": people}  # 2 + 99 = 101 files

    response = APIClient().post(submit_url(token), body, format="json")

    assert_refused(response, "role-entity[98]", "At most 100 files per request.")
    assert SubjectRecord.objects.filter(reference__startswith="p-").count() == 0


def test_a_file_name_of_256_characters_is_refused(workspace: Workspace) -> None:
    _, token = make_action(workspace)

    response = APIClient().post(submit_url(token), {"id_document": "a" * 252 + ".pdf"}, format="json")

    assert_refused(response, "id_document", "File names are at most 255 characters.")
    accepted = APIClient().post(submit_url(token), {"id_document": "a" * 251 + ".pdf"}, format="json")
    assert accepted.status_code == 200, accepted.content


def test_presigned_post_refuses_a_256_character_name(api_client: APIClient) -> None:
    query = {"filename": "a" * 252 + ".pdf", "contenttype": "application/pdf", "source": "field_value"}

    response = api_client.get(reverse("s3-presigned-post"), query)

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR" and "filename" in response.json()["details"]["fields"]
    assert Document.objects.count() == 0


def test_a_file_over_the_limit_is_refused_at_confirmation_with_its_reason(
    workspace: Workspace, settings: Any, tmp_path: Path
) -> None:
    """The policy pins the size; what the store let through anyway (moto: anything) is refused on /confirm."""
    settings.UPLOAD_DEFAULT_MAX_BYTES = 40
    action, token = make_action(workspace)
    client = APIClient()
    uploads = client.post(submit_url(token), SEED_ROOT_BODY, format="json").json()["fileUploads"]
    upload_all(uploads, tmp_path, content=PDF_BYTES + b" " * 100)

    response = client.post(confirm_url(token))

    assert response.status_code == 409, response.content
    assert {(u["fileName"], u["reason"]) for u in response.json()["fileUploads"]} == {
        ("passport_scan.pdf", "too_large"),
        ("utility_bill.pdf", "too_large"),
    }
    assert not Document.objects.filter(status=DocumentStatus.UPLOADED).exists()
    assert PublicAction.objects.get(pk=action.pk).status == PublicActionStatus.AWAITING_UPLOADS

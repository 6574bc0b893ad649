"""An accepted file is final: the server copies it to a key no presign names, with S3's SHA-256, and deletes the
upload. Re-posting other bytes with the still-valid presigned fields changes nothing the product serves, on each
of the three upload contracts and in the S3-event worker."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from documents import s3
from documents.models import Document
from tests.uploads import pdf_bytes, post_to_s3, run_scans
from tests.workflows.factories import SubjectRecordFactory
from tests.workflows.public_action_support import (
    SEED_ROOT_BODY,
    confirm_url,
    curl_upload,
    make_action,
    submit_url,
    upload_all,
)
from workflows.models import SubjectRecordDocument
from workspaces.models import Workspace

HOSTILE = b"<html><script>alert(document.cookie)</script></html>"


def document_get(client: APIClient, document_id: str) -> dict[str, Any]:
    response = client.post(reverse("document-get"), {"document_id": document_id}, format="json")
    assert response.status_code == 200, response.content
    return dict(response.json()["data"]["document"])


def document_create(client: APIClient, workspace: Workspace, size: int) -> dict[str, Any]:
    record = SubjectRecordFactory.create(workspace=workspace)
    body = {"subject_record_id": record.public_id, "file_name": "passport.pdf", "file_size_in_bytes": size}
    return dict(client.post(reverse("document-create"), body, format="json").json()["data"]["document"])


def post_document(created: dict[str, Any], content: bytes) -> requests.Response:
    """The presign values as fields, the file last: the same fields may be posted again while they are valid."""
    parts: list[tuple[str, Any]] = [(name, (None, value)) for name, value in created["presign_values"].items()]
    return requests.post(created["upload_url"], files=[*parts, ("file", ("p.pdf", content))], timeout=30)


def assert_served(url: str, content: bytes) -> None:
    download = requests.get(url, timeout=10)
    assert download.status_code == 200 and download.content == content


def test_api_s3_accepted_file_cannot_be_replaced(api_client: APIClient) -> None:
    content = pdf_bytes()
    query = {"filename": "report.pdf", "contenttype": "application/pdf", "source": "field_value"}
    presigned = api_client.get(reverse("s3-presigned-post"), query).json()
    assert post_to_s3(presigned["url"], presigned["fields"], content).status_code == 204
    body = {"uuid": presigned["s3object_id"], "key": presigned["fields"]["key"]}
    record = api_client.post(reverse("s3-success"), body, format="json").json()
    # S3 computed the checksum in the copy (moto supports ChecksumAlgorithm on CopyObject).
    assert record["sha256"] == hashlib.sha256(content).hexdigest()
    assert s3.head_object(presigned["fields"]["key"]) is None  # the upload is gone once accepted

    assert post_to_s3(presigned["url"], presigned["fields"], HOSTILE).status_code == 204  # the policy still works
    run_scans()  # served once scanned: the scan reads the final object, not what was posted since
    again = api_client.post(reverse("s3-success"), body, format="json").json()

    assert again["sha256"] == record["sha256"]
    assert_served(again["url"], content)
    assert s3.head_object(presigned["fields"]["key"]) is None  # seen on success: deleted


def test_document_contract_accepted_file_cannot_be_replaced(api_client: APIClient, workspace: Workspace) -> None:
    content = pdf_bytes()
    created = document_create(api_client, workspace, len(content))
    assert post_document(created, content).ok
    accepted = document_get(api_client, created["document_id"])
    assert accepted["upload_status"] == "UPLOADED"
    assert accepted["sha256"] == hashlib.sha256(content).hexdigest() and accepted["reason"] is None

    hostile = HOSTILE.ljust(len(content), b" ")  # even the exact declared size
    assert post_document(created, hostile).ok
    run_scans()
    again = document_get(api_client, created["document_id"])

    assert again["sha256"] == accepted["sha256"] and again["upload_status"] == "UPLOADED"
    assert_served(again["download_url"], content)


def test_public_action_accepted_files_cannot_be_replaced(
    api_client: APIClient, workspace: Workspace, tmp_path: Path
) -> None:
    client = APIClient()  # the end client, without credentials
    _, token = make_action(workspace)
    uploads = client.post(submit_url(token), SEED_ROOT_BODY, format="json").json()["fileUploads"]
    content = pdf_bytes()
    upload_all(uploads, tmp_path, content=content)
    assert client.post(confirm_url(token)).json() == {"status": "completed"}
    run_scans()

    hostile = tmp_path / "hostile.pdf"
    hostile.write_bytes(HOSTILE)
    for file_upload in uploads:
        assert curl_upload(file_upload, hostile) == 204
        link = SubjectRecordDocument.objects.get(document__key=file_upload["fields"]["key"])
        served = document_get(api_client, link.public_id)
        assert served["sha256"] == hashlib.sha256(content).hexdigest()
        assert_served(served["download_url"], content)
    assert client.post(confirm_url(token)).json() == {"status": "completed"}


@pytest.fixture
def event_queue(s3_bucket: str) -> str:
    from documents.events import event_queue_ensure, sqs_client

    queue_url = event_queue_ensure(queue_name="document-events-final")
    sqs_client(s3.s3_client().meta.endpoint_url).purge_queue(QueueUrl=queue_url)
    return queue_url


def test_event_worker_accepts_to_a_final_object_and_deletes_a_later_upload(
    api_client: APIClient, workspace: Workspace, event_queue: str
) -> None:
    content = pdf_bytes()
    created = document_create(api_client, workspace, len(content))
    assert post_document(created, content).ok
    call_command("process_document_events", "--once", queue_url=event_queue)
    document = Document.objects.get(key=created["presign_values"]["key"])
    assert document.status == "UPLOADED" and document.final_key.startswith("objects/")
    assert document.sha256 == hashlib.sha256(content).hexdigest()

    hostile = HOSTILE.ljust(len(content), b" ")
    assert post_document(created, hostile).ok
    call_command("process_document_events", "--once", queue_url=event_queue)

    assert s3.head_object(document.key) is None  # the event of the re-post was seen: deleted
    run_scans()
    assert_served(document_get(api_client, created["document_id"])["download_url"], content)

"""Acceptance queues the file's scan on the task engine once it commits, on every path that accepts: the three
contracts, the lazy check on read and the S3-event worker. Tasks run eagerly here (the real worker is in
test_scan_worker.py); nothing is scanned before the acceptance commits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from documents.events import event_queue_ensure, sqs_client
from documents.models import Document
from documents.tasks import document_events_poll, document_scans_resume
from tests.uploads import pdf_bytes, post_to_s3
from tests.workflows.public_action_support import SEED_ROOT_BODY, confirm_url, make_action, submit_url, upload_all
from tests.workflows.test_final_objects import document_create, document_get, post_document
from workspaces.models import Workspace

Committed = Callable[..., Any]


def _s3_success(
    api_client: APIClient, committed: Committed, tmp_path: Path, workspace: Workspace, settings: Any
) -> list[str]:
    query = {"filename": "report.pdf", "contenttype": "application/pdf", "source": "field_value"}
    presigned = api_client.get(reverse("s3-presigned-post"), query).json()
    assert post_to_s3(presigned["url"], presigned["fields"], pdf_bytes()).status_code == 204
    with committed(execute=True):
        body = {"uuid": presigned["s3object_id"], "key": presigned["fields"]["key"]}
        assert api_client.post(reverse("s3-success"), body, format="json").status_code == 200
    return [presigned["fields"]["key"]]


def _document_get(
    api_client: APIClient, committed: Committed, tmp_path: Path, workspace: Workspace, settings: Any
) -> list[str]:
    created = document_create(api_client, workspace, len(pdf_bytes()))
    assert post_document(created, pdf_bytes()).ok
    with committed(execute=True):
        assert document_get(api_client, created["document_id"])["upload_status"] == "UPLOADED"  # the lazy check
    return [created["presign_values"]["key"]]


def _public_action(
    api_client: APIClient, committed: Committed, tmp_path: Path, workspace: Workspace, settings: Any
) -> list[str]:
    client = APIClient()
    _, token = make_action(workspace)
    uploads = client.post(submit_url(token), SEED_ROOT_BODY, format="json").json()["fileUploads"]
    upload_all(uploads, tmp_path, content=pdf_bytes())
    with committed(execute=True):
        assert client.post(confirm_url(token)).json() == {"status": "completed"}
    return [upload["fields"]["key"] for upload in uploads]


def _s3_event(
    api_client: APIClient, committed: Committed, tmp_path: Path, workspace: Workspace, settings: Any
) -> list[str]:
    queue_url = event_queue_ensure(queue_name="document-events-scan")
    sqs_client(settings.AWS_S3_ENDPOINT_URL).purge_queue(QueueUrl=queue_url)
    settings.DOCUMENT_EVENTS_QUEUE_URL = queue_url  # pytest-django's fixture: restored after
    created = document_create(api_client, workspace, len(pdf_bytes()))
    assert post_document(created, pdf_bytes()).ok
    with committed(execute=True):
        assert document_events_poll.delay().get() >= 1  # what celery beat runs
    return [created["presign_values"]["key"]]


@pytest.mark.parametrize("accept", [_s3_success, _document_get, _public_action, _s3_event])
def test_each_path_that_accepts_queues_the_scan_once_it_commits(
    accept: Callable[..., list[str]],
    api_client: APIClient,
    django_capture_on_commit_callbacks: Committed,
    tmp_path: Path,
    workspace: Workspace,
    settings: Any,
) -> None:
    keys = accept(api_client, django_capture_on_commit_callbacks, tmp_path, workspace, settings)

    documents = Document.objects.filter(key__in=keys)
    assert len(documents) == len(keys) >= 1
    assert {(document.status, document.scan_status) for document in documents} == {("UPLOADED", "NOT_SCANNED")}


def test_nothing_is_scanned_before_the_acceptance_commits(api_client: APIClient) -> None:
    query = {"filename": "report.pdf", "contenttype": "application/pdf", "source": "field_value"}
    presigned = api_client.get(reverse("s3-presigned-post"), query).json()
    assert post_to_s3(presigned["url"], presigned["fields"], pdf_bytes()).status_code == 204
    body = {"uuid": presigned["s3object_id"], "key": presigned["fields"]["key"]}

    record = api_client.post(reverse("s3-success"), body, format="json").json()  # the test's transaction stays open

    assert (record["scan_status"], record["url"]) == ("SCANNING", None)


def test_beat_queues_again_a_scan_left_waiting_and_only_an_old_one(api_client: APIClient, settings: Any) -> None:
    settings.DOCUMENT_SCAN_RESUME_SECONDS = 600
    query = {"filename": "report.pdf", "contenttype": "application/pdf", "source": "field_value"}
    presigned = api_client.get(reverse("s3-presigned-post"), query).json()
    content = pdf_bytes()
    assert post_to_s3(presigned["url"], presigned["fields"], content).status_code == 204
    body = {"uuid": presigned["s3object_id"], "key": presigned["fields"]["key"]}
    api_client.post(reverse("s3-success"), body, format="json")  # its enqueue never ran (no commit): a lost one

    assert document_scans_resume.delay().get() == 0  # accepted just now: its scan may still be queued
    Document.objects.filter(uuid=presigned["s3object_id"]).update(uploaded_at=timezone.now() - timedelta(minutes=11))
    assert document_scans_resume.delay().get() == 1

    record = api_client.post(reverse("s3-success"), body, format="json").json()
    assert record["scan_status"] == "NOT_SCANNED"
    assert requests.get(record["url"], timeout=10).content == content

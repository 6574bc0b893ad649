"""The S3-event worker as ``run_embedded`` runs it: a thread on the emulator's queue updates documents by itself."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests
from django.urls import reverse
from rest_framework.test import APIClient

from documents.constants import DocumentStatus
from documents.events import DocumentEventWorker, created_keys, event_queue_ensure
from documents.models import Document
from tests.workflows.factories import SubjectRecordFactory
from workspaces.models import Workspace

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def wait_for(predicate: Any, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_worker_thread_updates_an_upload_without_anyone_asking(api_client: APIClient, workspace: Workspace) -> None:
    worker = DocumentEventWorker(event_queue_ensure(queue_name="document-events-thread"), wait_time_seconds=1)
    worker.start()
    try:
        record = SubjectRecordFactory.create(workspace=workspace)
        body = {"subject_record_id": record.public_id, "file_name": "passport.pdf", "file_size_in_bytes": len(PDF)}
        document = api_client.post(reverse("document-create"), body, format="json").json()["data"]["document"]
        parts: list[tuple[str, Any]] = [(name, (None, value)) for name, value in document["presign_values"].items()]
        parts.append(("file", ("passport.pdf", PDF, "application/pdf")))
        assert requests.post(document["upload_url"], files=parts, timeout=30).status_code == 204

        def uploaded() -> bool:
            status = Document.objects.filter(subject_link__public_id=document["document_id"]).values_list(
                "status", flat=True
            )
            return list(status) == [DocumentStatus.UPLOADED]

        assert wait_for(uploaded)
    finally:
        worker.stop()
    assert not worker.is_alive()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"Records": "nope"}',
        '{"Records": [{"eventName": "ObjectCreated:Post", "s3": {}}]}',
        '{"Records": [{"eventName": "ObjectRemoved:Delete", "s3": {"bucket": {"name": "intake-test"}, '
        '"object": {"key": "a"}}}]}',
        '{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "another-bucket"}, '
        '"object": {"key": "a"}}}]}',
        '{"Service": "Amazon S3", "Event": "s3:TestEvent"}',
    ],
)
def test_events_that_are_not_our_created_objects_are_ignored(body: str) -> None:
    assert created_keys(body) == []


def test_event_keys_are_decoded_and_sns_envelopes_unwrapped() -> None:
    record = '{"Records": [{"eventName": "ObjectCreated:Post", "s3": {"bucket": {"name": "intake-test"}, "object": {"key": "sr_1/d_2+copy%281%29.pdf"}}}]}'  # noqa: E501
    wrapped = '{"Type": "Notification", "Message": ' + json.dumps(record) + "}"

    assert created_keys(record) == ["sr_1/d_2 copy(1).pdf"]
    assert created_keys(wrapped) == ["sr_1/d_2 copy(1).pdf"]

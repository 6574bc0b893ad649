"""S3 events as ``run_embedded`` handles them: the Celery worker's beat drains the queue and updates documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from django.urls import reverse
from rest_framework.test import APIClient

from documents.constants import DocumentStatus
from documents.events import created_keys, event_queue_ensure
from documents.models import Document
from tests.celery_worker import Worker, wait_for
from tests.workflows.factories import SubjectRecordFactory
from workspaces.models import Workspace

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.mark.postgres
def test_the_worker_updates_an_upload_without_anyone_asking(
    celery_worker: Worker, api_client: APIClient, workspace: Workspace
) -> None:
    event_queue_ensure(queue_name=celery_worker.events_queue_name)  # the queue the worker's beat drains
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

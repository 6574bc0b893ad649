"""The bucket configuration in deploy/ is valid S3 API input, its lifecycle expires upload keys and nothing accepted,
and its notification feeds the event worker."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from documents import s3
from documents.events import created_keys, sqs_client
from documents.keys import PUBLIC_PREFIX, THUMBNAIL_PREFIX
from documents.models import Document
from tests.uploads import pdf_bytes, post_to_s3
from tests.workflows.public_action_support import SEED_ROOT_BODY, confirm_url, make_action, submit_url, upload_all
from tests.workflows.test_final_objects import document_create, document_get, post_document
from workspaces.models import Workspace

DEPLOY = Path(settings.BASE_DIR) / "deploy"


def _load(name: str) -> Any:
    return json.loads((DEPLOY / name).read_text())


def test_cors_and_lifecycle_rules_apply_as_documented(s3_bucket: str) -> None:
    client = s3.s3_client()
    client.put_bucket_cors(Bucket=s3_bucket, CORSConfiguration=_load("s3-cors.json"))
    client.put_bucket_lifecycle_configuration(Bucket=s3_bucket, LifecycleConfiguration=_load("s3-lifecycle.json"))

    cors = client.get_bucket_cors(Bucket=s3_bucket)["CORSRules"]
    assert cors[0]["AllowedMethods"] == ["POST"] and cors[0]["AllowedOrigins"] == ["https://intake.example.com"]
    rules = client.get_bucket_lifecycle_configuration(Bucket=s3_bucket)["Rules"]
    assert {"abort-incomplete-multipart-uploads", "expire-old-versions", "expire-uploads-sr"} <= {
        rule["ID"] for rule in rules
    }


def _expired_after(key: str) -> int | None:
    """Days after which the documented lifecycle deletes an object at ``key`` (None: never)."""
    days = [
        rule["Expiration"]["Days"]
        for rule in _load("s3-lifecycle.json")["Rules"]
        if "Days" in rule.get("Expiration", {}) and key.startswith(rule["Filter"].get("Prefix", ""))
    ]
    return min(days, default=None)


def test_the_lifecycle_expires_every_upload_key_after_a_day_and_no_accepted_object(
    api_client: APIClient, workspace: Workspace, tmp_path: Path
) -> None:
    content = pdf_bytes()
    query = {"filename": "report.pdf", "contenttype": "application/pdf", "source": "field_value"}
    presigned = api_client.get(reverse("s3-presigned-post"), query).json()
    created = document_create(api_client, workspace, len(content))
    _, token = make_action(workspace)
    file_uploads = APIClient().post(submit_url(token), SEED_ROOT_BODY, format="json").json()["fileUploads"]
    upload_keys = [presigned["fields"]["key"], created["presign_values"]["key"]]
    upload_keys += [file_upload["fields"]["key"] for file_upload in file_uploads]
    assert {_expired_after(key) for key in upload_keys} == {1}  # an upload window is at most an hour

    assert post_to_s3(presigned["url"], presigned["fields"], content).status_code == 204
    body = {"uuid": presigned["s3object_id"], "key": presigned["fields"]["key"]}
    assert api_client.post(reverse("s3-success"), body, format="json").status_code == 200
    assert post_document(created, content).ok
    document_get(api_client, created["document_id"])
    upload_all(file_uploads, tmp_path, content=content)
    assert APIClient().post(confirm_url(token)).json() == {"status": "completed"}
    finals = list(Document.objects.filter(key__in=upload_keys).values_list("final_key", flat=True))
    assert len(finals) == len(upload_keys) and all(finals)
    derived = [*finals, f"{THUMBNAIL_PREFIX}/{workspace.public_id}/x.png", f"{PUBLIC_PREFIX}/{workspace.public_id}/x"]
    assert [key for key in derived if _expired_after(key) is not None] == []


def test_the_notification_sends_object_created_events_to_the_queue(s3_bucket: str, s3_endpoint: str) -> None:
    sqs = sqs_client(s3_endpoint)
    queue_url = sqs.create_queue(QueueName="intake-document-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    notification = _load("s3-notification.json")
    notification["QueueConfigurations"][0]["QueueArn"] = queue_arn  # the documented ARN, for this account

    s3.s3_client().put_bucket_notification_configuration(Bucket=s3_bucket, NotificationConfiguration=notification)
    s3.s3_client().put_object(Bucket=s3_bucket, Key="sr_x/d_y.pdf", Body=b"%PDF-1.4\n")

    deadline = time.monotonic() + 10
    keys: list[str] = []  # S3's configuration test event comes first and names none
    while not keys and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", []):
            keys += created_keys(message["Body"])  # as the event worker reads them
    assert keys == ["sr_x/d_y.pdf"]

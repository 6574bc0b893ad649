"""The bucket configuration in deploy/ is valid S3 API input, and its notification feeds the event worker."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from documents import s3
from documents.events import created_keys, sqs_client

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
    assert {rule["ID"] for rule in rules} == {"abort-incomplete-multipart-uploads", "expire-old-versions"}


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

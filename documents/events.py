"""S3 event notifications: ObjectCreated events, delivered to an SQS queue, bring documents up to date.

The worker (celery beat's ``document_events_poll``, or ``manage.py process_document_events``) receives the queue's
messages, finds the Document of each created key and runs the upload core's verification on it (size, content type,
magic bytes; a mismatch is rejected and deleted). A message is deleted only once handled, so a failure leaves it for
the next receive.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus, urlparse

import boto3
from botocore.config import Config
from django.conf import settings

from documents import s3
from documents.constants import DocumentStatus
from documents.models import Document
from documents.services import document_upload_discard, document_verify_upload

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

logger = logging.getLogger(__name__)

EMBEDDED_QUEUE_NAME = "document-events"


@functools.cache
def sqs_client(endpoint_url: str | None) -> SQSClient:
    session = boto3.session.Session(
        aws_access_key_id=settings.AWS_ACCESS_KEY_ID,
        aws_secret_access_key=settings.AWS_SECRET_ACCESS_KEY,
        aws_session_token=settings.AWS_SESSION_TOKEN,
        region_name=settings.AWS_S3_REGION_NAME,
    )
    return session.client("sqs", endpoint_url=endpoint_url, config=Config(retries={"max_attempts": 3}))


def _client_for(queue_url: str) -> SQSClient:
    """The queue URL names its endpoint (``https://sqs.<region>.amazonaws.com/...`` or the emulator's)."""
    parsed = urlparse(queue_url)
    return sqs_client(f"{parsed.scheme}://{parsed.netloc}")


def created_keys(body: str) -> list[str]:
    """The object keys of the ObjectCreated records of one message of our bucket (also when wrapped by SNS)."""
    try:
        message: Any = json.loads(body)
        if isinstance(message, dict) and "Records" not in message and isinstance(message.get("Message"), str):
            message = json.loads(message["Message"])  # S3 -> SNS -> SQS
    except ValueError:
        logger.warning("Ignoring a document event that is not JSON")
        return []
    keys = []
    records = message.get("Records", []) if isinstance(message, dict) else []
    for record in records if isinstance(records, list) else []:
        try:
            if not str(record.get("eventName", "")).startswith("ObjectCreated"):
                continue
            if record["s3"]["bucket"]["name"] != s3.bucket_name():
                continue
            keys.append(unquote_plus(record["s3"]["object"]["key"]))  # event keys are URL-encoded
        except (KeyError, TypeError, AttributeError):
            logger.warning("Ignoring a malformed S3 event record")
    return keys


def document_event_handle(*, key: str) -> Document | None:
    """Verify the document of a created upload key; None when the key is not an upload key of ours.

    An object that lands on the upload key of a document already accepted or rejected is deleted: the record
    keeps its final object, and a still-valid presign changes nothing. Final objects and thumbnails (created by
    the server itself) are not upload keys and are left alone.
    """
    document = Document.objects.filter(key=key).first()
    if document is None:
        logger.info("S3 event for a key that is not an upload key: %s", key)
        return None
    if document.status != DocumentStatus.AWAITING_UPLOAD:
        document_upload_discard(document=document)
        return document
    return document_verify_upload(document=document).document


def document_events_receive(*, queue_url: str, wait_time_seconds: int = 20) -> int:
    """One receive of up to 10 messages, each handled and then deleted; the number of messages received."""
    client = _client_for(queue_url)
    response = client.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_time_seconds, VisibilityTimeout=60
    )
    messages = response.get("Messages", [])
    for message in messages:
        try:
            for key in created_keys(message.get("Body", "")):
                document_event_handle(key=key)
        except Exception:  # left on the queue: it comes back after the visibility timeout
            logger.exception("Could not handle document event %s", message.get("MessageId"))
            continue
        client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return len(messages)


def document_events_drain(*, queue_url: str) -> int:
    """Handle every message on the queue now, then return (``--once``)."""
    total = 0
    while received := document_events_receive(queue_url=queue_url, wait_time_seconds=0):
        total += received
    return total


def event_queue_ensure(*, queue_name: str = EMBEDDED_QUEUE_NAME) -> str:
    """Create the queue and point the bucket's ObjectCreated notifications at it (the embedded emulator)."""
    client = sqs_client(settings.AWS_S3_ENDPOINT_URL)
    queue_url = client.create_queue(QueueName=queue_name)["QueueUrl"]
    queue_arn = client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.s3_client().put_bucket_notification_configuration(
        Bucket=s3.bucket_name(),
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    return queue_url

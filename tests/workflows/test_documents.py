"""/document.create and /document.get: presign values as the seed spells them, the exact-size policy, refusals,
and both ways the upload status is brought up to date (lazily on read, and from S3 events via SQS)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from documents import s3
from documents.constants import DocumentStatus
from documents.events import sqs_client
from documents.models import Document
from tests.storage_faults import refused_endpoint, s3_at
from tests.uploads import pdf_bytes, run_scans
from tests.workflows.factories import SubjectRecordFactory
from workflows.models import SubjectRecord, SubjectRecordDocument
from workspaces.constants import Role
from workspaces.models import Workspace

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 56
SEED_PRESIGN_NAMES = [
    "Content-Type",
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Security-Token",
    "X-Amz-Signature",
    "key",
    "policy",
    "x-amz-meta-document-id",
]


@pytest.fixture
def record(workspace: Workspace) -> SubjectRecord:
    return SubjectRecordFactory.create(workspace=workspace)


def create(client: APIClient, record: SubjectRecord, file_name: str = "passport.pdf", size: int = len(PDF)) -> Any:
    body = {"subject_record_id": record.public_id, "file_name": file_name, "file_size_in_bytes": size}
    return client.post(reverse("document-create"), body, format="json")


def get(client: APIClient, document_id: str) -> Any:
    return client.post(reverse("document-get"), {"document_id": document_id}, format="json")


def upload(document: dict[str, Any], content: bytes, file_name: str = "passport.pdf") -> requests.Response:
    """Fields first, in the seed's order, `file` last."""
    parts: list[tuple[str, Any]] = [(name, (None, value)) for name, value in document["presign_values"].items()]
    parts.append(("file", (file_name, content, "application/pdf")))
    return requests.post(document["upload_url"], files=parts, timeout=30)


def policy_of(document: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(document["presign_values"]["policy"])))


def assert_no_document_written() -> None:
    assert Document.objects.count() == 0
    assert SubjectRecordDocument.objects.count() == 0


# --- document.create -----------------------------------------------------------------------------


def test_create_answers_the_seed_shape(api_client: APIClient, record: SubjectRecord, s3_endpoint: str) -> None:
    response = create(api_client, record, size=1048576)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    document = body["data"]["document"]
    assert list(document) == ["document_id", "upload_url", "presign_values"]
    assert re.fullmatch(r"d_[0-9A-Za-z]{22}", document["document_id"])
    assert document["upload_url"] == f"{s3_endpoint}/intake-test"
    values = document["presign_values"]
    # Exactly the seed's names and order; no session token with these credentials.
    assert list(values) == [name for name in SEED_PRESIGN_NAMES if name != "X-Amz-Security-Token"]
    assert values["Content-Type"] == "application/pdf"
    assert values["key"] == f"{record.public_id}/{document['document_id']}.pdf"
    assert values["x-amz-meta-document-id"] == document["document_id"]
    assert values["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert re.fullmatch(r"testing/\d{8}/us-east-1/s3/aws4_request", values["X-Amz-Credential"])
    link = SubjectRecordDocument.objects.select_related("document").get(public_id=document["document_id"])
    assert link.subject_record == record
    assert link.document.status == DocumentStatus.AWAITING_UPLOAD
    assert link.document.key == values["key"]


def test_policy_pins_key_type_metadata_and_exact_size_for_five_minutes(
    api_client: APIClient, record: SubjectRecord
) -> None:
    before = timezone.now()
    document = create(api_client, record, file_name="Statement March.PNG", size=12345).json()["data"]["document"]

    policy = policy_of(document)
    conditions = policy["conditions"]
    values = document["presign_values"]
    assert values["Content-Type"] == "image/png"
    assert values["key"].endswith(".png")
    assert ["eq", "$key", values["key"]] in conditions
    assert ["eq", "$Content-Type", "image/png"] in conditions
    assert ["eq", "$x-amz-meta-document-id", document["document_id"]] in conditions
    assert ["content-length-range", 12345, 12345] in conditions
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert before + timedelta(minutes=4, seconds=55) <= expiration <= timezone.now() + timedelta(minutes=5, seconds=1)


def test_session_credentials_add_the_security_token(
    api_client: APIClient, record: SubjectRecord, settings: Any
) -> None:
    settings.AWS_SESSION_TOKEN = "session-token-value"
    s3.clear_cached_clients()
    try:
        values = create(api_client, record).json()["data"]["document"]["presign_values"]
    finally:
        settings.AWS_SESSION_TOKEN = None
        s3.clear_cached_clients()

    assert list(values) == SEED_PRESIGN_NAMES
    assert values["X-Amz-Security-Token"] == "session-token-value"
    assert {"x-amz-security-token": "session-token-value"} in policy_of({"presign_values": values})["conditions"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"file_name": "setup.exe", "file_size_in_bytes": 10}, 400, "UNSUPPORTED_FILE_TYPE"),
        ({"file_name": "passport", "file_size_in_bytes": 10}, 400, "UNSUPPORTED_FILE_TYPE"),
        ({"file_name": "notes.json", "file_size_in_bytes": 10}, 400, "UNSUPPORTED_FILE_TYPE"),
        ({"file_name": "passport.pdf.exe", "file_size_in_bytes": 10}, 400, "UNSUPPORTED_FILE_TYPE"),
        ({"file_name": "passport.pdf", "file_size_in_bytes": 0}, 400, "VALIDATION_ERROR"),
        ({"file_name": "passport.pdf", "file_size_in_bytes": -5}, 400, "VALIDATION_ERROR"),
        ({"file_name": "passport.pdf", "file_size_in_bytes": 15 * 1024 * 1024 + 1}, 400, "FILE_TOO_LARGE"),
        ({"file_name": "passport.pdf", "file_size_in_bytes": "a lot"}, 400, "VALIDATION_ERROR"),
        ({"file_size_in_bytes": 10}, 400, "VALIDATION_ERROR"),
        ({"file_name": "passport.pdf"}, 400, "VALIDATION_ERROR"),
        ({"file_name": "", "file_size_in_bytes": 10}, 400, "VALIDATION_ERROR"),
    ],
)
def test_create_refuses_bad_input(
    api_client: APIClient, record: SubjectRecord, body: dict[str, Any], status: int, code: str
) -> None:
    response = api_client.post(
        reverse("document-create"), {"subject_record_id": record.public_id, **body}, format="json"
    )

    assert response.status_code == status, response.content
    assert response.json()["success"] is False
    assert response.json()["code"] == code
    assert response.json()["error"]
    assert_no_document_written()


def test_create_names_the_accepted_extensions(api_client: APIClient, record: SubjectRecord) -> None:
    response = create(api_client, record, file_name="setup.exe")

    assert response.status_code == 400
    assert {"pdf", "jpg", "png"} <= set(response.json()["details"]["allowedExtensions"])
    assert "exe" not in response.json()["details"]["allowedExtensions"]


@pytest.mark.parametrize(("file_name", "content_type"), [("scan.JPG", "image/jpeg"), ("id.heic", "image/heic")])
def test_create_derives_the_content_type_from_the_extension(
    api_client: APIClient, record: SubjectRecord, file_name: str, content_type: str
) -> None:
    values = create(api_client, record, file_name=file_name).json()["data"]["document"]["presign_values"]

    assert values["Content-Type"] == content_type
    assert values["key"].endswith("." + file_name.rsplit(".", 1)[1].lower())


def test_create_without_subject_record_id_names_the_field(api_client: APIClient) -> None:
    response = api_client.post(
        reverse("document-create"), {"file_name": "a.pdf", "file_size_in_bytes": 3}, format="json"
    )

    assert response.status_code == 400
    assert "subject_record_id" in response.json()["details"]["fields"]
    assert_no_document_written()


def test_create_refuses_unknown_and_foreign_subject_records(api_client: APIClient, other_workspace: Workspace) -> None:
    foreign = SubjectRecordFactory.create(workspace=other_workspace)
    for subject_record_id in (foreign.public_id, "sr_doesnotexist0000000000"):
        response = api_client.post(
            reverse("document-create"),
            {"subject_record_id": subject_record_id, "file_name": "a.pdf", "file_size_in_bytes": 3},
            format="json",
        )
        assert response.status_code == 404
        assert response.json()["code"] == "SUBJECT_RECORD_NOT_FOUND"
    assert_no_document_written()


def test_create_needs_a_writing_role_and_a_key(
    workspace: Workspace, record: SubjectRecord, api_client_for: Callable[..., APIClient]
) -> None:
    viewer = create(api_client_for(workspace, role=Role.VIEWER), record)
    anonymous = create(APIClient(), record)

    assert viewer.status_code == 403
    assert viewer.json()["code"] == "PERMISSION_DENIED"
    assert anonymous.status_code == 401
    assert anonymous.json()["success"] is False
    assert_no_document_written()


def test_create_hostile_file_name_never_reaches_the_key(api_client: APIClient, record: SubjectRecord) -> None:
    document = create(api_client, record, file_name="../../etc/pass wd\u202e.pdf").json()["data"]["document"]
    null_byte = create(api_client, record, file_name="x\u0000y.pdf")

    assert document["presign_values"]["key"] == f"{record.public_id}/{document['document_id']}.pdf"
    assert null_byte.status_code == 400
    assert Document.objects.count() == 1


# --- Uploads and document.get ----------------------------------------------------------------------


def test_get_is_pending_before_the_upload(api_client: APIClient, record: SubjectRecord) -> None:
    document_id = create(api_client, record).json()["data"]["document"]["document_id"]

    response = get(api_client, document_id)

    assert response.status_code == 200
    document = response.json()["data"]["document"]
    assert document["document_id"] == document_id
    assert document["upload_status"] == "PENDING"
    assert document["file_name"] == "passport.pdf"
    assert document["file_size_in_bytes"] == len(PDF)
    assert document["content_type"] == "application/pdf"
    assert document["download_url"] is None
    assert document["subject_record_id"] == record.public_id
    assert {"created_at", "updated_at", "upload_expires_at", "uploaded_at"} <= set(document)


def test_get_verifies_an_upload_lazily(api_client: APIClient, record: SubjectRecord) -> None:
    content = pdf_bytes()
    document = create(api_client, record, size=len(content)).json()["data"]["document"]
    assert upload(document, content).status_code == 204

    response = get(api_client, document["document_id"])

    body = response.json()["data"]["document"]
    assert body["upload_status"] == "UPLOADED"
    assert body["uploaded_at"] is not None
    assert (body["scan_status"], body["download_url"]) == ("SCANNING", None)  # served once the scan passed
    run_scans()
    body = get(api_client, document["document_id"]).json()["data"]["document"]
    download = requests.get(body["download_url"], timeout=10)
    assert download.status_code == 200
    assert download.content == content


def test_upload_of_another_type_is_rejected_with_its_reason(api_client: APIClient, record: SubjectRecord) -> None:
    document = create(api_client, record, size=len(PNG)).json()["data"]["document"]
    assert upload(document, PNG).status_code == 204  # moto does not check the policy; verification does

    body = get(api_client, document["document_id"]).json()["data"]["document"]

    assert body["upload_status"] == "REJECTED"
    assert "not a valid application/pdf" in body["rejection_reason"]
    assert body["reason"] == "content_check_failed"
    assert body["download_url"] is None
    assert s3.head_object(document["presign_values"]["key"]) is None  # the object was deleted


def test_upload_of_another_size_is_rejected(api_client: APIClient, record: SubjectRecord) -> None:
    document = create(api_client, record, size=len(PDF) - 1).json()["data"]["document"]
    upload(document, PDF)

    body = get(api_client, document["document_id"]).json()["data"]["document"]

    assert body["upload_status"] == "REJECTED"
    assert f"differs from the declared {len(PDF) - 1} bytes" in body["rejection_reason"]
    assert body["reason"] == "wrong_size"


def test_get_reports_expired_when_the_window_closed_without_an_upload(
    api_client: APIClient, record: SubjectRecord
) -> None:
    document_id = create(api_client, record).json()["data"]["document"]["document_id"]
    # Five minutes pass.
    Document.objects.update(upload_expires_at=timezone.now() - timedelta(seconds=1))

    assert get(api_client, document_id).json()["data"]["document"]["upload_status"] == "EXPIRED"


def test_get_refuses_other_workspaces_and_unknown_ids(
    api_client: APIClient, record: SubjectRecord, other_workspace: Workspace, api_client_for: Callable[..., APIClient]
) -> None:
    document_id = create(api_client, record).json()["data"]["document"]["document_id"]
    outsider = api_client_for(other_workspace)

    for client, wanted in ((outsider, document_id), (api_client, "d_unknown0000000000000000")):
        response = get(client, wanted)
        assert response.status_code == 404
        assert response.json()["code"] == "DOCUMENT_NOT_FOUND"
    missing = api_client.post(reverse("document-get"), {}, format="json")
    assert missing.status_code == 400
    assert "document_id" in missing.json()["details"]["fields"]


def test_viewer_may_read_a_document(
    workspace: Workspace, api_client: APIClient, record: SubjectRecord, api_client_for: Callable[..., APIClient]
) -> None:
    document_id = create(api_client, record).json()["data"]["document"]["document_id"]

    assert get(api_client_for(workspace, role=Role.VIEWER), document_id).status_code == 200


# --- S3 events -> SQS -> worker --------------------------------------------------------------------


@pytest.fixture
def event_queue(s3_endpoint: str, s3_bucket: str) -> str:
    """A moto SQS queue that receives the bucket's ObjectCreated notifications."""
    client = sqs_client(s3_endpoint)
    queue_url = client.create_queue(QueueName="document-events-test")["QueueUrl"]
    arn = client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.s3_client().put_bucket_notification_configuration(
        Bucket=s3_bucket,
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    client.purge_queue(QueueUrl=queue_url)  # moto's s3:TestEvent
    return str(queue_url)


def queued(queue_url: str) -> int:
    attributes = sqs_client(queue_url.rsplit("/", 2)[0]).get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_worker_marks_an_upload_uploaded_from_its_s3_event(
    api_client: APIClient, record: SubjectRecord, event_queue: str
) -> None:
    document = create(api_client, record).json()["data"]["document"]
    upload(document, PDF)
    assert queued(event_queue) == 1
    stored = Document.objects.get(subject_link__public_id=document["document_id"])
    assert stored.status == DocumentStatus.AWAITING_UPLOAD

    call_command("process_document_events", "--once", queue_url=event_queue, stdout=None)

    stored.refresh_from_db()
    assert stored.status == DocumentStatus.UPLOADED
    assert stored.size == len(PDF)
    assert queued(event_queue) == 0  # handled messages are deleted
    assert get(api_client, document["document_id"]).json()["data"]["document"]["upload_status"] == "UPLOADED"


def test_worker_rejects_a_mismatching_upload_and_ignores_foreign_keys(
    api_client: APIClient, record: SubjectRecord, event_queue: str
) -> None:
    document = create(api_client, record, size=len(PNG)).json()["data"]["document"]
    upload(document, PNG)
    s3.s3_client().put_object(Bucket="intake-test", Key="not/a document.txt", Body=b"hello")

    call_command("process_document_events", "--once", queue_url=event_queue)

    stored = Document.objects.get(subject_link__public_id=document["document_id"])
    assert stored.status == DocumentStatus.REJECTED
    assert "not a valid application/pdf" in stored.rejection_reason
    assert queued(event_queue) == 0


def test_worker_without_a_queue_stops_with_a_message() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="DOCUMENT_EVENTS_QUEUE_URL"):
        call_command("process_document_events", "--once")


def test_openapi_schema_documents_the_contract(api_client: APIClient) -> None:
    response = api_client.get(reverse("schema"), {"format": "json"}, HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    for path in (
        "/document.create",
        "/document.get",
        "/workflow.create",
        "/workflow.requiredDocument.add",
        "/workflow.requiredDocument.list",
        "/workflow.requiredDocument.fulfillment.batchAdd",
        "/workflow.requiredDocument.fulfillment.list",
        "/workflow.requiredDocument.fulfillment.decide",
        "/workflow.complete",
    ):
        assert {"200", "201"} & set(paths[path]["post"]["responses"]), path
        assert "400" in paths[path]["post"]["responses"], path
    assert "409" in paths["/workflow.requiredDocument.fulfillment.batchAdd"]["post"]["responses"]
    assert list(schema["components"]["schemas"]["PresignValues"]["properties"]) == SEED_PRESIGN_NAMES


def test_get_answers_503_when_s3_cannot_be_reached_and_the_document_is_checked_once_it_is_back(
    api_client: APIClient, record: SubjectRecord, settings: Any
) -> None:
    created = create(api_client, record).json()["data"]["document"]
    assert upload(created, PDF).status_code == 204

    with s3_at(refused_endpoint()):
        response = get(api_client, created["document_id"])

    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.STORAGE_RETRY_AFTER_SECONDS)
    assert response.json()["code"] == "STORAGE_UNAVAILABLE"
    assert get(api_client, created["document_id"]).json()["data"]["document"]["upload_status"] == "UPLOADED"

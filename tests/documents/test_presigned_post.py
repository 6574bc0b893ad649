"""GET /api/s3/presigned-post: what we sign is exactly what the contract promises, nothing looser."""

import base64
import json
from datetime import datetime, timedelta

import pytest
from botocore.endpoint import Endpoint
from django.urls import reverse
from django.utils import timezone

from documents.models import Document

URL = reverse("s3-presigned-post")


def presign(client, filename="report.pdf", contenttype="application/pdf", source="field_value"):
    return client.get(URL, {"filename": filename, "contenttype": contenttype, "source": source})


def decoded_policy(fields):
    return json.loads(base64.b64decode(fields["Policy"]))


def test_presign_answers_the_contract_fields_and_records_an_awaiting_document(api_client, workspace):
    before = timezone.now()
    response = presign(api_client)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"url", "fields", "s3object_id", "max_file_size", "expires_at"}
    assert body["max_file_size"] == 15 * 1024 * 1024
    expires_at = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert before + timedelta(minutes=5) - timedelta(seconds=5) <= expires_at <= timezone.now() + timedelta(minutes=5)

    document = Document.objects.get(uuid=body["s3object_id"])
    assert document.workspace == workspace
    assert document.status == "AWAITING_UPLOAD"
    assert document.content_type == "application/pdf"
    assert body["fields"]["key"] == document.key
    assert document.key.startswith(f"{workspace.public_id}/uploads/field_value/{document.uuid}/")


def test_policy_pins_key_type_size_and_expiry_and_is_sigv4(api_client):
    body = presign(api_client).json()
    fields = body["fields"]
    policy = decoded_policy(fields)

    conditions = policy["conditions"]
    assert ["eq", "$key", fields["key"]] in conditions
    assert ["eq", "$Content-Type", "application/pdf"] in conditions
    assert ["content-length-range", 1, 15 * 1024 * 1024] in conditions
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert abs((expiration - timezone.now()) - timedelta(minutes=5)) < timedelta(seconds=10)

    assert fields["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert fields["X-Amz-Credential"].endswith("/us-east-1/s3/aws4_request")
    assert len(fields["X-Amz-Signature"]) == 64
    assert "AWSAccessKeyId" not in fields and "signature" not in fields  # never SigV2


def test_signed_fields_come_in_upload_order(api_client):
    names = list(presign(api_client).json()["fields"])
    assert names[:2] == ["key", "Content-Type"]
    assert names[-2:] == ["Policy", "X-Amz-Signature"]
    assert "file" not in names


def test_per_source_limits_and_types(api_client):
    image = presign(api_client, "logo.png", "image/png", "public_image").json()
    assert image["max_file_size"] == 5 * 1024 * 1024
    assert ["content-length-range", 1, 5 * 1024 * 1024] in decoded_policy(image["fields"])["conditions"]

    refused = presign(api_client, "notes.pdf", "application/pdf", "public_image")
    assert refused.status_code == 400
    assert refused.json()["code"] == "UNSUPPORTED_FILE_TYPE"

    importing = presign(api_client, "staff.csv", "text/csv", "employee_import").json()
    assert importing["max_file_size"] == 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"filename": "report.pdf", "contenttype": "application/pdf", "source": "not_a_source"}, "VALIDATION_ERROR"),
        ({"filename": "report.pdf", "contenttype": "application/pdf"}, "VALIDATION_ERROR"),
        ({"contenttype": "application/pdf", "source": "field_value"}, "VALIDATION_ERROR"),
        ({"filename": "virus.exe", "contenttype": "application/octet-stream", "source": "field_value"}, None),
        ({"filename": "report.pdf", "contenttype": "image/png", "source": "field_value"}, "CONTENT_TYPE_MISMATCH"),
        ({"filename": "no-extension", "contenttype": "application/pdf", "source": "field_value"}, None),
        ({"filename": "nul\x00.pdf", "contenttype": "application/pdf", "source": "field_value"}, "BAD_REQUEST"),
    ],
)
def test_bad_requests_get_a_clear_400_and_record_nothing(api_client, params, code):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["error"]
    assert body["code"] == (code or "UNSUPPORTED_FILE_TYPE")
    assert Document.objects.count() == 0


@pytest.mark.parametrize(
    ("hostile", "expected_name"),
    [
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\windows\\system32.pdf", "system32.pdf"),
        ("evil\x07na\nme\t.pdf", "evilname.pdf"),
        ("résumé final (1).pdf", "resume_final_1.pdf"),
        ("..pdf", "file.pdf"),
        ("\u202etxt.pdf", "txt.pdf"),
        ("a" * 251 + ".pdf", "a" * 96 + ".pdf"),  # the longest name accepted (255), keyed in 100
    ],
)
def test_object_keys_are_built_from_sanitised_names(api_client, workspace, hostile, expected_name):
    response = presign(api_client, filename=hostile)

    assert response.status_code == 200
    key = response.json()["fields"]["key"]
    last_segment = key.rsplit("/", 1)[1]
    assert last_segment == expected_name
    assert key.startswith(f"{workspace.public_id}/uploads/field_value/")
    assert ".." not in key.split("/")
    assert all(ch.isprintable() and ord(ch) < 128 for ch in key)
    # The name shown keeps what was typed, less the characters that reorder it (right-to-left override).
    assert Document.objects.get().original_name == hostile.replace("\u202e", "")[:255]


def test_two_uploads_of_one_name_never_share_a_key(api_client):
    first = presign(api_client).json()["fields"]["key"]
    second = presign(api_client).json()["fields"]["key"]
    assert first != second


def test_signing_does_not_call_s3(api_client, monkeypatch):
    """Signing is local work: with S3 unreachable, presigning still answers."""

    def unreachable(*args, **kwargs):
        raise AssertionError("signing must not make a network call")

    monkeypatch.setattr(Endpoint, "make_request", unreachable)
    assert presign(api_client).status_code == 200

"""POST /api/s3/success: the server verifies what arrived before it records a file."""

import hashlib
import io

import pytest
import requests
from django.urls import reverse
from PIL import Image

from documents import s3
from documents.models import Document
from tests.uploads import jpeg_bytes, pdf_bytes, png_bytes, post_to_s3, run_scans

PRESIGN = reverse("s3-presigned-post")
SUCCESS = reverse("s3-success")


def presign(client, filename="report.pdf", contenttype="application/pdf", source="field_value"):
    response = client.get(PRESIGN, {"filename": filename, "contenttype": contenttype, "source": source})
    assert response.status_code == 200, response.content
    return response.json()


def upload(presigned, content, content_type=None, file_name="upload"):
    fields = dict(presigned["fields"])
    if content_type is not None:  # a client that ignores the signed Content-Type
        fields["Content-Type"] = content_type
    response = post_to_s3(presigned["url"], fields, content, file_name)
    assert response.status_code == 204, response.text
    return response


def success(client, presigned, **extra):
    body = {"uuid": presigned["s3object_id"], "key": presigned["fields"]["key"], "name": "report.pdf", **extra}
    source = presigned["fields"]["key"].split("/")[2].upper()
    return client.post(f"{SUCCESS}?source={source}", body, format="json")


def object_exists(key):
    return s3.head_object(key) is not None


def test_full_flow_returns_the_stored_file_record_and_the_file_downloads(api_client, workspace):
    presigned = presign(api_client)
    content = pdf_bytes()
    upload(presigned, content)
    stored = s3.head_object(presigned["fields"]["key"])
    assert stored is not None
    etag = stored.etag

    response = success(api_client, presigned, etag=etag, business_id=str(workspace.public_id))

    assert response.status_code == 200, response.content
    record = response.json()
    assert set(record) == {
        "id",
        "created",
        "key",
        "name",
        "url",
        "thumbnail_url",
        "size_bytes",
        "size_formatted",
        "content_type",
        "is_public",
        "common_key",
        "is_common",
        "sha256",  # added to the documented record
        "scan_status",
        "scan_reason",
    }
    assert record["sha256"] == hashlib.sha256(content).hexdigest()
    assert record["id"] == presigned["s3object_id"]
    assert record["key"] == presigned["fields"]["key"]
    assert record["size_bytes"] == len(content)
    assert record["content_type"] == "application/pdf"
    assert record["is_public"] is False and record["is_common"] is False and record["common_key"] is None
    assert record["size_formatted"].endswith(("B", "KB"))
    assert (record["scan_status"], record["url"]) == ("SCANNING", None)
    run_scans()
    record = success(api_client, presigned).json()
    assert record["scan_status"] == "NOT_SCANNED"  # the suite's default has no clamd (see test_scanning.py)
    assert requests.get(record["url"], timeout=10).content == content

    document = Document.objects.get(uuid=record["id"])
    assert document.status == "UPLOADED" and document.size == len(content) and document.uploaded_at


def test_success_twice_returns_the_same_record(api_client):
    presigned = presign(api_client)
    upload(presigned, pdf_bytes())
    first = success(api_client, presigned).json()
    second = success(api_client, presigned).json()
    assert first["id"] == second["id"] and first["key"] == second["key"] and first["created"] == second["created"]
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    ("filename", "contenttype", "make"),
    [("photo.png", "image/png", png_bytes), ("photo.jpg", "image/jpeg", jpeg_bytes), ("scan.pdf", None, pdf_bytes)],
)
def test_images_and_pdfs_get_a_real_thumbnail(api_client, client, filename, contenttype, make):
    presigned = presign(api_client, filename, contenttype or "application/pdf")
    upload(presigned, make())
    record = success(api_client, presigned).json()
    run_scans()

    response = client.get(record["thumbnail_url"])
    assert response.status_code == 302
    thumbnail = requests.get(response["Location"], timeout=10)
    assert thumbnail.status_code == 200
    image = Image.open(io.BytesIO(thumbnail.content))
    assert image.format == "PNG"
    assert max(image.size) <= 256 and min(image.size) > 0


def test_other_types_get_a_type_icon(api_client, client):
    presigned = presign(api_client, "notes.txt", "text/plain")
    upload(presigned, b"plain notes\n")
    record = success(api_client, presigned).json()

    response = client.get(record["thumbnail_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"TXT" in response.content


def test_a_thumbnail_link_with_a_forged_token_is_refused(client):
    response = client.get(reverse("documents:thumbnail", args=["forged-token"]))
    assert response.status_code == 404


@pytest.mark.parametrize("source", ["public_image", "third_party_image"])
def test_public_images_get_a_lasting_url_anyone_can_open(api_client, source):
    presigned = presign(api_client, "logo.png", "image/png", source)
    content = png_bytes()
    upload(presigned, content)
    success(api_client, presigned, is_public=True)
    run_scans()
    record = success(api_client, presigned, is_public=True).json()
    assert record["is_public"] is True
    assert "X-Amz-Signature" not in record["url"] and "/public/" in record["url"]

    anonymous = requests.get(record["url"], timeout=10)  # no credentials, no signature

    assert anonymous.status_code == 200 and anonymous.content == content
    assert anonymous.headers["Content-Type"] == "image/png"


def test_a_private_file_is_not_readable_without_its_signed_link(api_client):
    presigned = presign(api_client)
    upload(presigned, pdf_bytes())
    success(api_client, presigned)
    run_scans()
    record = success(api_client, presigned).json()

    unsigned = requests.get(record["url"].split("?", 1)[0], timeout=10)

    assert unsigned.status_code == 403


def test_missing_object_is_a_400_and_the_upload_stays_open(api_client):
    presigned = presign(api_client)

    response = success(api_client, presigned)

    assert response.status_code == 400
    assert response.json()["code"] == "UPLOAD_NOT_FOUND"
    assert Document.objects.get().status == "AWAITING_UPLOAD"


def test_oversized_upload_is_rejected_and_deleted(api_client):
    presigned = presign(api_client, "logo.png", "image/png", "public_image")
    too_big = png_bytes() + b"\x00" * (5 * 1024 * 1024)
    upload(presigned, too_big)

    response = success(api_client, presigned)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "UPLOAD_REJECTED" and "outside the allowed range" in body["error"]
    document = Document.objects.get()
    assert document.status == "REJECTED" and document.rejection_reason == body["error"]
    assert not object_exists(presigned["fields"]["key"])


def test_wrong_content_type_is_rejected_and_deleted(api_client):
    presigned = presign(api_client)
    upload(presigned, pdf_bytes(), content_type="text/html")

    response = success(api_client, presigned)

    assert response.status_code == 400
    assert "Content type" in response.json()["error"]
    assert Document.objects.get().status == "REJECTED"
    assert not object_exists(presigned["fields"]["key"])


def test_wrong_magic_bytes_are_rejected_and_deleted(api_client):
    presigned = presign(api_client)  # declared a PDF
    upload(presigned, b"MZ\x90\x00 this is a windows executable, not a PDF")

    response = success(api_client, presigned)

    assert response.status_code == 400
    assert response.json()["code"] == "UPLOAD_REJECTED"
    assert "not a valid application/pdf" in response.json()["error"]
    assert not object_exists(presigned["fields"]["key"])
    # A rejected upload stays rejected: calling success again does not resurrect it.
    assert success(api_client, presigned).status_code == 400


def test_a_wrong_etag_is_refused_and_leaves_the_upload_intact(api_client):
    presigned = presign(api_client)
    content = pdf_bytes()
    upload(presigned, content)

    response = success(api_client, presigned, etag='"0123456789abcdef0123456789abcdef"')

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": "etag does not match the uploaded object.",
        "code": "UPLOAD_MISMATCH",
        "details": {"etag": '"0123456789abcdef0123456789abcdef"'},
    }
    assert Document.objects.get().status == "AWAITING_UPLOAD"
    assert object_exists(presigned["fields"]["key"])
    # The right etag (or none) still completes the same upload.
    stored = s3.head_object(presigned["fields"]["key"])
    assert stored is not None
    success(api_client, presigned, etag=stored.etag)
    run_scans()
    record = success(api_client, presigned).json()
    assert requests.get(record["url"], timeout=10).content == content


def test_a_foreign_etag_on_an_accepted_file_changes_nothing(api_client):
    presigned = presign(api_client)
    content = pdf_bytes()
    upload(presigned, content)
    success(api_client, presigned)
    run_scans()
    record = success(api_client, presigned).json()

    response = success(api_client, presigned, etag="ffffffffffffffffffffffffffffffff")

    assert response.status_code == 400 and response.json()["code"] == "UPLOAD_MISMATCH"
    assert Document.objects.get().status == "UPLOADED"
    assert requests.get(record["url"], timeout=10).content == content


def test_another_workspaces_upload_is_not_found_and_untouched(api_client, other_workspace, api_client_for):
    presigned = presign(api_client)
    upload(presigned, pdf_bytes())
    intruder = api_client_for(other_workspace)

    response = success(intruder, presigned)

    assert response.status_code == 404
    assert response.json()["code"] == "DOCUMENT_NOT_FOUND"
    assert Document.objects.get().status == "AWAITING_UPLOAD"
    assert object_exists(presigned["fields"]["key"])


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"key": "someone/else/key.pdf"}, "UPLOAD_MISMATCH"),
        ({"business_id": "7f3bcc87-1cb1-4d0c-9656-5d3c36418e1a"}, "UPLOAD_MISMATCH"),
        ({"is_public": True}, "UPLOAD_MISMATCH"),
        ({"uuid": "not-a-uuid"}, "VALIDATION_ERROR"),
        ({"is_public": "sometimes"}, "VALIDATION_ERROR"),
    ],
)
def test_inconsistent_success_calls_are_refused_and_change_nothing(api_client, extra, code):
    presigned = presign(api_client)
    upload(presigned, pdf_bytes())

    response = success(api_client, presigned, **extra)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert Document.objects.get().status == "AWAITING_UPLOAD"


def test_source_must_match_the_presigned_source(api_client):
    presigned = presign(api_client)
    upload(presigned, pdf_bytes())
    body = {"uuid": presigned["s3object_id"]}
    response = api_client.post(SUCCESS + "?source=RECORD_IMPORT", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "UPLOAD_MISMATCH"


def test_the_acting_member_is_recorded(workspace, member_of, api_client_for):
    member = member_of(workspace)
    client = api_client_for(workspace, user=member)
    presign(client)
    assert Document.objects.get().created_by == member


@pytest.mark.parametrize(
    ("filename", "contenttype", "content", "disposition"),
    [
        ("Scan 2024.pdf", "application/pdf", pdf_bytes(), 'inline; filename="Scan_2024.pdf"'),
        ("photo.png", "image/png", png_bytes(), 'inline; filename="photo.png"'),
        ("../ledger\u202e.csv", "text/csv", b"a,b\n1,2\n", 'attachment; filename="ledger.csv"'),
    ],
)
def test_downloads_are_attachments_unless_safe_inline(api_client, filename, contenttype, content, disposition):
    presigned = presign(api_client, filename, contenttype)
    upload(presigned, content)
    success(api_client, presigned)
    run_scans()
    record = success(api_client, presigned).json()

    download = requests.get(record["url"], timeout=10)

    assert download.content == content
    assert download.headers["Content-Disposition"] == disposition

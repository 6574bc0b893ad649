"""Accepted files are checked in depth and scanned by a real clamd before they are served or thumbnailed.

Here the scans run in the test process (``process_document_scans``; tests/documents/test_scan_worker.py goes
through the real worker); clamd runs on a local socket with the suite's own signature database (tests/clamd.py).
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse

from documents import s3
from documents.models import Document
from tests.clamd import EICAR, SIGNATURE_PNG
from tests.uploads import jpeg_bytes, pdf_bytes, png_bytes, post_to_s3

POLYGLOT_PDF = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
WORDPROCESSING = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ooxml(*parts: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for part in parts:
            package.writestr(part, "<x/>")
    return out.getvalue()


@pytest.fixture
def clamav(settings: Any, clamd_socket: str) -> str:
    settings.CLAMAV_URL = clamd_socket
    return clamd_socket


def upload_and_confirm(client: Any, file_name: str, content_type: str, content: bytes) -> dict[str, Any]:
    """Presign, POST the bytes to S3, then /api/s3/success: the stored file record."""
    presigned = client.get(
        reverse("s3-presigned-post"), {"filename": file_name, "contenttype": content_type, "source": "field_value"}
    ).json()
    assert post_to_s3(presigned["url"], presigned["fields"], content).status_code == 204
    record = record_of(client, presigned)
    assert record["scan_status"] == "SCANNING" and record["url"] is None
    return presigned


def record_of(client: Any, presigned: dict[str, Any]) -> dict[str, Any]:
    body = {"uuid": presigned["s3object_id"], "key": presigned["fields"]["key"]}
    response = client.post(f"{reverse('s3-success')}?source=FIELD_VALUE", body, format="json")
    assert response.status_code == 200, response.content
    return dict(response.json())


def scan_pending() -> None:
    call_command("process_document_scans", stdout=io.StringIO())


def thumbnail_is_an_icon(client: Any, record: dict[str, Any]) -> bool:
    response = client.get(record["thumbnail_url"], follow=True)
    return response.status_code == 200 and response["Content-Type"] == "image/svg+xml"


def test_a_polyglot_pdf_passes_the_magic_bytes_but_is_quarantined_and_never_served(
    api_client: Any, client: Any, clamav: str, django_user_model: Any
) -> None:
    presigned = upload_and_confirm(api_client, "report.pdf", "application/pdf", POLYGLOT_PDF)
    assert thumbnail_is_an_icon(client, record_of(api_client, presigned))

    scan_pending()

    record = record_of(api_client, presigned)
    assert record["scan_status"] == "QUARANTINED"
    assert record["scan_reason"].startswith("Content check failed: the file does not open as application/pdf")
    assert record["url"] is None
    assert thumbnail_is_an_icon(client, record)
    # Reviewers see why.
    operator = django_user_model.objects.create_superuser("operator", "op@example.com", "pw")
    client.force_login(operator)
    document = Document.objects.get(uuid=presigned["s3object_id"])
    page = client.get(reverse("admin:documents_document_change", args=[document.pk]))
    assert page.status_code == 200
    assert "Quarantined" in page.content.decode() and "Content check failed" in page.content.decode()


@pytest.mark.parametrize(
    ("file_name", "content_type", "content", "signature"),
    [
        ("eicar.txt", "text/plain", EICAR, "Eicar-Test-Signature"),
        ("photo.png", "image/png", SIGNATURE_PNG, "Intake.Test.Signature"),
    ],
)
def test_a_file_clamd_recognises_is_quarantined_and_never_served(
    api_client: Any, client: Any, clamav: str, file_name: str, content_type: str, content: bytes, signature: str
) -> None:
    presigned = upload_and_confirm(api_client, file_name, content_type, content)

    scan_pending()

    record = record_of(api_client, presigned)
    assert (record["scan_status"], record["url"]) == ("QUARANTINED", None)
    assert record["scan_reason"] == f"Malware found: {signature}.UNOFFICIAL."
    assert thumbnail_is_an_icon(client, record)


def test_a_clean_file_is_served_and_thumbnailed_once_scanned(api_client: Any, client: Any, clamav: str) -> None:
    content = pdf_bytes()
    presigned = upload_and_confirm(api_client, "scan.pdf", "application/pdf", content)

    scan_pending()

    record = record_of(api_client, presigned)
    assert (record["scan_status"], record["scan_reason"]) == ("CLEAN", "")
    assert requests.get(record["url"], timeout=10).content == content
    thumbnail = client.get(record["thumbnail_url"])
    assert thumbnail.status_code == 302
    assert requests.get(thumbnail["Location"], timeout=10).headers["Content-Type"] == "image/png"


def test_without_a_malware_scanner_the_status_says_not_scanned(api_client: Any, settings: Any) -> None:
    settings.CLAMAV_URL = ""
    content = png_bytes((16, 16))
    presigned = upload_and_confirm(api_client, "photo.png", "image/png", content)

    scan_pending()

    record = record_of(api_client, presigned)
    assert (record["scan_status"], record["scan_reason"]) == ("NOT_SCANNED", "")
    assert requests.get(record["url"], timeout=10).content == content


def test_a_scanner_that_cannot_be_reached_leaves_the_file_unserved_until_it_is_back(
    api_client: Any,
    settings: Any,
    clamd_socket: str,
    tmp_path: Any,
) -> None:
    settings.CLAMAV_URL = f"unix://{tmp_path / 'no-clamd.sock'}"
    presigned = upload_and_confirm(api_client, "scan.pdf", "application/pdf", pdf_bytes())

    scan_pending()
    assert record_of(api_client, presigned)["scan_status"] == "SCANNING"

    settings.CLAMAV_URL = clamd_socket
    scan_pending()
    assert record_of(api_client, presigned)["scan_status"] == "CLEAN"


@pytest.mark.parametrize(
    ("file_name", "content_type", "content", "status"),
    [
        ("photo.jpg", "image/jpeg", jpeg_bytes((32, 32)), "CLEAN"),
        ("photo.png", "image/png", png_bytes((32, 32))[:-40], "QUARANTINED"),  # truncated
        (
            "photo.png",
            "image/png",
            jpeg_bytes((32, 32)).replace(b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", 1),
            "QUARANTINED",
        ),
        ("letter.docx", WORDPROCESSING, ooxml("[Content_Types].xml", "word/document.xml"), "CLEAN"),
        ("sheet.xlsx", SPREADSHEET, ooxml("[Content_Types].xml", "xl/workbook.xml"), "CLEAN"),
        ("sheet.xlsx", SPREADSHEET, ooxml("[Content_Types].xml", "word/document.xml"), "QUARANTINED"),
        ("letter.docx", WORDPROCESSING, b"PK\x03\x04" + b"\x00" * 200, "QUARANTINED"),
        ("people.csv", "text/csv", b"name\n" + "Zoë\n".encode() * 40 + b"\xff\xfe broken", "QUARANTINED"),
        ("data.json", "application/json", b'{"a": [1, 2]}', "CLEAN"),
        ("data.json", "application/json", b'{"a": [1, 2' + b" " * 100, "QUARANTINED"),
    ],
)
def test_every_type_is_opened_as_what_it_claims_to_be(
    api_client: Any, clamav: str, file_name: str, content_type: str, content: bytes, status: str
) -> None:
    presigned = upload_and_confirm(api_client, file_name, content_type, content)

    scan_pending()

    record = record_of(api_client, presigned)
    assert record["scan_status"] == status, record["scan_reason"]
    assert (record["url"] is None) == (status == "QUARANTINED")


def test_document_get_says_scanning_and_gives_no_download_until_the_scan_passes(
    api_client: Any, workspace: Any
) -> None:
    from tests.workflows.factories import SubjectRecordFactory

    record = SubjectRecordFactory.create(workspace=workspace)
    content = pdf_bytes()
    body = {"subject_record_id": record.public_id, "file_name": "passport.pdf", "file_size_in_bytes": len(content)}
    created = api_client.post(reverse("document-create"), body, format="json").json()["data"]["document"]
    assert post_to_s3(created["upload_url"], created["presign_values"], content).status_code == 204

    def get() -> dict[str, Any]:
        answer = api_client.post(reverse("document-get"), {"document_id": created["document_id"]}, format="json")
        return dict(answer.json()["data"]["document"])

    before = get()
    assert (before["upload_status"], before["scan_status"], before["download_url"]) == ("UPLOADED", "SCANNING", None)
    scan_pending()
    after = get()
    assert (after["upload_status"], after["scan_status"]) == ("UPLOADED", "NOT_SCANNED")
    assert requests.get(after["download_url"], timeout=10).content == content


def test_an_accepted_file_whose_object_is_gone_is_quarantined_not_retried_forever(api_client: Any) -> None:
    presigned = upload_and_confirm(api_client, "scan.pdf", "application/pdf", pdf_bytes())
    s3.delete_object(Document.objects.get(uuid=presigned["s3object_id"]).final_key)

    scan_pending()

    record = record_of(api_client, presigned)
    assert (record["scan_status"], record["scan_reason"], record["url"]) == (
        "QUARANTINED",
        "The stored object is missing.",
        None,
    )

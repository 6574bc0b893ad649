"""Every registered file type is accepted when its bytes are what its name says, and refused otherwise."""

import io
import zipfile

import pytest
from django.urls import reverse

from documents.models import Document
from tests.uploads import jpeg_bytes, pdf_bytes, png_bytes, post_to_s3


def office_bytes(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{kind}/document.xml", "<document/>")
    return out.getvalue()


def gif_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, format="GIF")
    return out.getvalue()


def webp_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="WEBP")
    return out.getvalue()


def tiff_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, format="TIFF")
    return out.getvalue()


HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64

VALID = [
    ("scan.pdf", "application/pdf", pdf_bytes()),
    ("photo.png", "image/png", png_bytes((8, 8))),
    ("photo.jpg", "image/jpeg", jpeg_bytes((8, 8))),
    ("photo.jpeg", "image/jpeg", jpeg_bytes((8, 8))),
    ("anim.gif", "image/gif", gif_bytes()),
    ("pic.webp", "image/webp", webp_bytes()),
    ("phone.heic", "image/heic", HEIC),
    ("fax.tiff", "image/tiff", tiff_bytes()),
    ("people.csv", "text/csv", "name,country\nZoë,DE\n".encode()),
    ("notes.txt", "text/plain", b"plain text\n"),
    ("data.json", "application/json", b'\xef\xbb\xbf  {"a": [1, 2]}'),
    ("letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", office_bytes("word")),
    ("sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", office_bytes("xl")),
]


def upload_and_confirm(api_client, filename, contenttype, content):
    presigned = api_client.get(
        reverse("s3-presigned-post"), {"filename": filename, "contenttype": contenttype, "source": "field_value"}
    ).json()
    assert post_to_s3(presigned["url"], presigned["fields"], content, filename).status_code == 204
    return api_client.post(reverse("s3-success"), {"uuid": presigned["s3object_id"]}, format="json")


@pytest.mark.parametrize(("filename", "contenttype", "content"), VALID, ids=[name for name, _, _ in VALID])
def test_registered_types_with_matching_bytes_are_accepted(api_client, filename, contenttype, content):
    response = upload_and_confirm(api_client, filename, contenttype, content)
    assert response.status_code == 200, response.json()
    assert response.json()["content_type"] == contenttype


MISMATCHED = [
    ("scan.pdf", "application/pdf", png_bytes((8, 8))),
    ("photo.png", "image/png", jpeg_bytes((8, 8))),
    ("photo.jpg", "image/jpeg", pdf_bytes()),
    ("anim.gif", "image/gif", png_bytes((8, 8))),
    ("pic.webp", "image/webp", b"RIFF\x00\x00\x00\x00WAVEfmt "),
    ("phone.heic", "image/heic", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 16),
    ("fax.tiff", "image/tiff", png_bytes((8, 8))),
    ("people.csv", "text/csv", b"\x00\x01\x02binary"),
    ("notes.txt", "text/plain", b"\xff\xfe\xfa not utf-8 \xc3\x28"),
    ("data.json", "application/json", b"not json at all"),
    ("letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", pdf_bytes()),
]


@pytest.mark.parametrize(("filename", "contenttype", "content"), MISMATCHED, ids=[name for name, _, _ in MISMATCHED])
def test_bytes_that_do_not_match_the_declared_type_are_rejected(api_client, filename, contenttype, content):
    response = upload_and_confirm(api_client, filename, contenttype, content)
    assert response.status_code == 400
    assert response.json()["code"] == "UPLOAD_REJECTED"
    assert Document.objects.get().status == "REJECTED"


@pytest.mark.parametrize("filename", ["tool.exe", "script.sh", "page.html", "archive.zip", "image.svg"])
def test_unregistered_types_cannot_be_presigned(api_client, filename):
    response = api_client.get(
        reverse("s3-presigned-post"),
        {"filename": filename, "contenttype": "application/octet-stream", "source": "field_value"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "UNSUPPORTED_FILE_TYPE"
    assert "pdf" in response.json()["details"]["allowedExtensions"]

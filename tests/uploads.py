"""Test helpers that act as an end client: real files, and a multipart POST straight to S3."""

from __future__ import annotations

import io

import requests
from django.core.management import call_command
from PIL import Image


def png_bytes(size: tuple[int, int] = (640, 480), color: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes(size: tuple[int, int] = (640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "orange").save(out, format="JPEG")
    return out.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    """A real, renderable PDF (Pillow writes one page per image)."""
    out = io.BytesIO()
    images = [Image.new("RGB", (595, 842), "white") for _ in range(pages)]
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:])
    return out.getvalue()


def post_to_s3(
    url: str, fields: dict[str, str], content: bytes, file_name: str = "upload.bin", content_type: str | None = None
) -> requests.Response:
    """POST the signed fields first and the file last, as the upload documents require."""
    parts: list[tuple[str, tuple[str | None, bytes | str] | tuple[str, bytes, str]]] = [
        (name, (None, value)) for name, value in fields.items()
    ]
    file_part: tuple[str, bytes, str] = (file_name, content, content_type or "application/octet-stream")
    parts.append(("file", file_part))
    return requests.post(url, files=parts, timeout=30)


def run_scans() -> None:
    """The scan worker's pass over the accepted files: they are served only once it has checked them."""
    call_command("process_document_scans", stdout=io.StringIO())

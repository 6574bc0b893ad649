"""The scan of an accepted file (documents/scanning.py) against reading the same object from S3, in MB/s."""

from __future__ import annotations

import io
import os
from datetime import timedelta

from django.utils import timezone
from PIL import Image

from benchmarks.runner import Result, measure
from documents import s3
from documents.constants import DocumentStatus, ScanStatus, UploadSource
from documents.models import Document
from documents.scanning import document_scan
from workspaces.models import Workspace

MB = 1024 * 1024


def _large_pdf(pages: int = 3) -> bytes:
    """A real PDF of a few MB: pages of noise (Pillow embeds each as a JPEG)."""
    images = [Image.frombytes("RGB", (1600, 1600), os.urandom(1600 * 1600 * 3)) for _ in range(pages)]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], quality=95)
    return out.getvalue()


def scan_cases(workspace: Workspace, repeat: int) -> list[Result]:
    content = _large_pdf()
    key = f"{workspace.public_id}/bench/scan.pdf"
    s3.put_object(key, content, "application/pdf")
    document = Document.objects.create(
        workspace=workspace,
        key=f"{key}.upload",
        final_key=key,
        original_name="scan.pdf",
        sanitized_name="scan.pdf",
        content_type="application/pdf",
        max_size=len(content),
        size=len(content),
        status=DocumentStatus.UPLOADED,
        source=UploadSource.FIELD_VALUE,
        upload_expires_at=timezone.now() + timedelta(minutes=5),
        uploaded_at=timezone.now(),
    )

    def rescan() -> None:
        Document.objects.filter(pk=document.pk).update(scan_status=ScanStatus.SCANNING)

    def scan() -> None:
        assert document_scan(document.pk) is not None

    def read() -> None:
        with s3.open_object(key) as body:
            for _ in body.iter_chunks(chunk_size=256 * 1024):
                pass

    size_mb = len(content) / MB
    result = measure(
        f"document_scan: stream + open a {size_mb:.1f} MB PDF (no clamd, as make run)",
        scan,
        floor="GET of the same object from S3",
        floor_fn=read,
        repeat=max(5, repeat // 20),
        setup=rescan,
        queries=False,
        target="<= 2x the S3 read",
    )
    # Shown as throughput: milliseconds per MB, so the ratio is the same as of the times.
    result.median_ms, result.p95_ms = result.median_ms / size_mb, result.p95_ms / size_mb
    result.floor_median_ms = None if result.floor_median_ms is None else result.floor_median_ms / size_mb
    result.unit = "MB/s"
    return [result]

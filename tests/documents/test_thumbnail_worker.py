"""Thumbnails are rendered by the real Celery worker: the link answers the type icon until the PNG exists."""

import io

import pytest
import requests
from django.urls import reverse
from PIL import Image

from tests.celery_worker import wait_for
from tests.documents.test_upload_success import presign, success, upload
from tests.uploads import png_bytes

pytestmark = pytest.mark.postgres


def test_the_worker_renders_a_thumbnail_the_link_then_serves(celery_worker, api_client, client):
    presigned = presign(api_client, "photo.png", "image/png")
    upload(presigned, png_bytes())
    record = success(api_client, presigned).json()

    first = client.get(record["thumbnail_url"])  # enqueues the render and answers at once
    assert first.status_code == 302 and first["Cache-Control"] == "no-store"
    assert first["Location"] == reverse("documents:icon", args=["png"])

    def rendered():
        response = client.get(record["thumbnail_url"])
        return response["Location"] if response["Location"].startswith("http") else None

    assert wait_for(rendered)
    thumbnail = requests.get(rendered(), timeout=10)
    assert (thumbnail.status_code, thumbnail.headers["Content-Type"]) == (200, "image/png")
    assert max(Image.open(io.BytesIO(thumbnail.content)).size) <= 256

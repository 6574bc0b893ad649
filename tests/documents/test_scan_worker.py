"""The scan after acceptance through the real broker and a separate Celery worker: nobody asks for it, the file is
served once the worker passed it, and a polyglot PDF is quarantined by it and never served."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from django.urls import reverse
from rest_framework.test import APIClient

from tests.celery_worker import Worker, wait_for
from tests.documents.test_scanning import POLYGLOT_PDF
from tests.uploads import pdf_bytes, post_to_s3

pytestmark = pytest.mark.postgres


def _accept(api_client: APIClient, content: bytes) -> dict[str, str]:
    query = {"filename": "report.pdf", "contenttype": "application/pdf", "source": "field_value"}
    presigned = api_client.get(reverse("s3-presigned-post"), query).json()
    assert post_to_s3(presigned["url"], presigned["fields"], content).status_code == 204
    body = {"uuid": presigned["s3object_id"], "key": presigned["fields"]["key"]}
    assert api_client.post(reverse("s3-success"), body, format="json").status_code == 200
    return body


def _record(api_client: APIClient, body: dict[str, str]) -> dict[str, Any]:
    return dict(api_client.post(reverse("s3-success"), body, format="json").json())


def test_the_worker_scans_each_accepted_file_without_anyone_asking(celery_worker: Worker, api_client: APIClient):
    content = pdf_bytes()
    good, polyglot = _accept(api_client, content), _accept(api_client, POLYGLOT_PDF)

    def settled() -> bool:
        return all(_record(api_client, body)["scan_status"] != "SCANNING" for body in (good, polyglot))

    assert wait_for(settled), (celery_worker.mail_dir / "../worker.log").resolve().read_text()[-3000:]
    served = _record(api_client, good)
    assert served["scan_status"] == "NOT_SCANNED"  # the worker has no clamd: it says so
    assert requests.get(served["url"], timeout=10).content == content
    refused = _record(api_client, polyglot)
    assert (refused["scan_status"], refused["url"]) == ("QUARANTINED", None)
    assert refused["scan_reason"].startswith("Content check failed")

"""An export job through the real broker: the web process records and enqueues it, a separate Celery worker
writes the file to S3 and e-mails the requester; the link it leads to serves the file."""

from __future__ import annotations

import io
import zipfile
from email import message_from_string
from typing import Any

import pytest
import requests
from django.urls import reverse

from audit.constants import AuditAction
from audit.models import AuditEvent
from submissions.models import Submission
from tests.celery_worker import Worker, wait_for
from workspaces.constants import Role

pytestmark = pytest.mark.postgres


def test_the_worker_writes_the_export_to_s3_and_mails_the_requester(
    celery_worker: Worker, api_client_for: Any, member_of: Any, workspace: Any, submission: Submission
) -> None:
    member = member_of(workspace, Role.MEMBER, email="worker-export@example.com")
    client = api_client_for(workspace, user=member, role=Role.MEMBER)
    started = client.post(reverse("export-job-list"), {"format": "csv"}, format="json")
    assert started.status_code == 202, started.content
    poll = started.json()["job"]["url"]

    def done() -> bool:
        return bool(client.get(poll).json()["job"]["state"] in ("done", "failed"))

    log = (celery_worker.mail_dir / "../worker.log").resolve()
    assert wait_for(done), log.read_text()[-3000:]
    job = client.get(poll).json()["job"]
    assert job["state"] == "done", job
    assert job["progress"] == {"rowsDone": 1, "rowsTotal": 1}

    link = client.get(job["downloadUrl"]).json()["url"]
    archive = zipfile.ZipFile(io.BytesIO(requests.get(link, timeout=10).content))
    assert submission.public_id in archive.read("submissions.csv").decode()
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_DOWNLOADED, target_id=job["jobId"]).exists()

    def mails() -> list[Any]:
        sent = [message_from_string(path.read_text()) for path in sorted(celery_worker.mail_dir.glob("*.log"))]
        return [m for m in sent if m["To"] == "worker-export@example.com"]

    assert wait_for(mails), log.read_text()[-3000:]
    assert job["jobId"] in mails()[0].get_payload(decode=True).decode()

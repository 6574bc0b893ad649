"""Share by e-mail through the real broker: the web process enqueues, a separate Celery worker sends."""

from __future__ import annotations

from email import message_from_string
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from submissions.models import Submission
from tests.celery_worker import Worker, wait_for

pytestmark = pytest.mark.postgres


def _sent(mail_dir: Path) -> list[Any]:
    return [message_from_string(path.read_text()) for path in sorted(mail_dir.glob("*.log"))]


def test_the_worker_sends_the_share_email(celery_worker: Worker, api_client: Any, client: Any, submission: Submission):
    url = reverse("submission-share-email", args=[submission.public_id])
    body = {"email": "worker-reviewer@example.com", "message": "Sent by the worker"}
    response = api_client.post(url, body, format="json")
    assert response.status_code == 200 and response.json()["success"] is True

    def mine() -> list[Any]:
        return [m for m in _sent(celery_worker.mail_dir) if m["To"] == "worker-reviewer@example.com"]

    assert wait_for(mine), (celery_worker.mail_dir / "../worker.log").resolve().read_text()[-3000:]
    (message,) = mine()
    text = message.get_payload(decode=True).decode()
    assert "Sent by the worker" in text
    link = next(word for word in text.split() if "/share/" in word)
    assert client.get(link).status_code == 200

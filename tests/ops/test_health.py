"""Liveness answers while the process runs; readiness answers 503 naming what it cannot reach."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from django.urls import reverse

from tests.ops.production import manage, production_env


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again: nothing listens there


@pytest.mark.django_db
def test_ready_when_the_database_and_the_bucket_answer(client: Any) -> None:
    assert client.get(reverse("health")).json() == {"status": "ok"}
    response = client.get(reverse("health-ready"))
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "storage": "ok"}}


@pytest.mark.django_db
def test_not_ready_without_the_bucket_and_says_which(client: Any, settings: Any) -> None:
    settings.AWS_S3_ENDPOINT_URL = f"http://127.0.0.1:{_dead_port()}"
    response = client.get(reverse("health-ready"))
    assert response.status_code == 503
    body = response.json()
    assert body["success"] is False and body["code"] == "NOT_READY"
    assert body["details"]["checks"]["database"] == "ok"
    assert body["details"]["checks"]["storage"].startswith("unavailable")
    assert client.get(reverse("health")).status_code == 200  # alive, only not ready


READINESS_OVER_HTTP = """
import json
from django.test import Client
client = Client(HTTP_HOST="intake.example.com")
for name, path in (("health", "/api/health"), ("health-ready", "/api/health/ready")):
    response = client.get(path, secure=True)
    print(json.dumps({"name": name, "status": response.status_code, "body": response.json()}))
"""


def test_not_ready_without_the_database_while_liveness_stays_up() -> None:
    env = production_env(DATABASE_URL=f"postgres://intake:intake@127.0.0.1:{_dead_port()}/intake")
    result = manage("shell", "-c", READINESS_OVER_HTTP, env=env)
    answers = {
        line["name"]: line for line in (json.loads(out) for out in result.stdout.splitlines() if out.startswith("{"))
    }
    assert answers["health"]["status"] == 200 and answers["health"]["body"] == {"status": "ok"}
    assert answers["health-ready"]["status"] == 503
    checks = answers["health-ready"]["body"]["details"]["checks"]
    assert checks["database"] == "unavailable: OperationalError"

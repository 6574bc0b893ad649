"""A real Celery worker (a subprocess, with beat) on the local Redis, for the tests of the delivery paths.

It runs the test settings against the test database, so those tests are PostgreSQL-only (marker ``postgres``:
pytest-django's SQLite test database lives in the test process's memory). Each xdist worker has its own Redis
db number and each run its own queue, so engineers and processes running the suite at once never share tasks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

EVENTS_QUEUE_NAME = "document-events-worker"


@dataclass(frozen=True)
class Worker:
    mail_dir: Path
    events_queue_name: str


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_ready(process: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The Celery worker exited: {log.read_text(errors='replace')[-2000:]}")
        if log.exists() and " ready." in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise RuntimeError(f"The Celery worker did not start: {log.read_text(errors='replace')[-2000:]}")


def _require_broker(broker: str) -> None:
    try:
        redis.Redis.from_url(broker, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"No Redis at {broker}: run `bash .ci/ensure-redis` (the Makefile's test targets do)")


def celery_worker_start(
    base: Path, s3_endpoint: str, *, extra_env: dict[str, str] | None = None, name: str = "celery", beat: bool = True
) -> subprocess.Popen[bytes]:
    """Start a worker (with beat unless told) and return its process once it is ready."""
    broker, queue = settings.CELERY_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE
    _require_broker(broker)
    mail_dir = base / "mail"
    mail_dir.mkdir(exist_ok=True)
    log = base / f"{name}.log"
    events_queue_url = f"{s3_endpoint}/123456789012/{EVENTS_QUEUE_NAME}"  # moto's queue URL for that name
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": _database_url(),
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "TEST_EMAIL_FILE_PATH": str(mail_dir),
        "TEST_DOCUMENT_EVENTS_QUEUE_URL": events_queue_url,
        "DOCUMENT_EVENTS_POLL_SECONDS": "1",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "TEST_CELERY_BROKER_URL": broker,
        "TEST_CELERY_QUEUE": queue,  # beat's tasks go there too
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "-b", broker, "worker", "-n", f"{name}@%h"]
    command += ["--pool", "solo", "-l", "INFO", "--logfile", str(log)]
    if beat:
        command += ["--beat", "-s", str(base / f"{name}-beat-schedule")]
    process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)
    try:
        _wait_ready(process, log)
    except RuntimeError:
        process.kill()
        raise
    return process


def celery_worker_stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def celery_worker_run(base: Path, s3_endpoint: str) -> Iterator[Worker]:
    """Start the worker, yield while it runs, stop it (before the test database is dropped)."""
    process = celery_worker_start(base, s3_endpoint)
    try:
        yield Worker(mail_dir=base / "mail", events_queue_name=EVENTS_QUEUE_NAME)
    finally:
        celery_worker_stop(process)


def wait_for(predicate: Callable[[], object], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False

"""Run the product's own entry points in a child process with a production environment (DEBUG off)."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings


def production_env(**overrides: str) -> dict[str, str]:
    """Only what a production machine would set: nothing of the suite's own environment (DJANGO_DEBUG, ...)."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="intake.example.com",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value != ""}


def manage(*args: str, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """The production server as `make serve` runs it (config/gunicorn.conf.py), on 127.0.0.1 and a free port."""

    def __init__(self, tmp: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "gunicorn.log"
        self.env = production_env(
            DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            DJANGO_STATIC_ROOT=str(tmp / "static"),
            **env,
        )
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        # Bounds for a loaded machine: collectstatic compresses every static file (about 50 s of CPU alone).
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            done = manage(*command, "-v0", env=self.env, timeout=600)
            assert done.returncode == 0, done.stderr
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(gunicorn), "--config", "config/gunicorn.conf.py"],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        # Up when every worker has answered (a worker loads the app after it is forked).
        deadline = time.monotonic() + 90
        workers = int(self.env.get("WEB_CONCURRENCY", "1"))
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                requests.get(f"{self.url}/api/health", timeout=10)
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
            if len(self.worker_pids()) == workers and self.serving_pids() == self.worker_pids():
                return self
        raise AssertionError(f"gunicorn did not start:\n{self.log.read_text()}")

    def serving_pids(self) -> set[str]:
        """The workers that wrote an access log line."""
        return set(re.findall(r" pid=<(\d+)>", self.log.read_text()))

    def log_once(self, *needles: str, timeout: float = 10) -> str:
        """The log once every needle is in it: a worker writes its access line after the client has the response."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.log.read_text()
            if all(needle in log for needle in needles) or time.monotonic() > deadline:
                return log
            time.sleep(0.1)

    def worker_pids(self) -> set[str]:
        return set(re.findall(r"Booting worker with pid: (\d+)", self.log.read_text()))

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=30)

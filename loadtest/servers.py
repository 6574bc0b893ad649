"""The processes under load, each on 127.0.0.1 and a free port: the S3 emulator and gunicorn (production config)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited\n{log.read_text()[-3000:]}")
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds:.0f} s\n{log.read_text()[-3000:]}")


class Server:
    """A child process with its output in a log file; stopped with SIGTERM on exit."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], probe: str, log_dir: Path) -> None:
        self.name, self.command, self.env, self.probe = name, command, env, probe
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self.command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        _wait_until(self.probe, self.process, self.log)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def s3_emulator(port: int, log_dir: Path) -> Server:
    url = f"http://127.0.0.1:{port}"
    command = [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    return Server("s3", command, dict(os.environ), f"{url}/moto-api/", log_dir)


def gunicorn(port: int, env: dict[str, str], log_dir: Path) -> Server:
    command = [str(BIN / "gunicorn"), "--config", "config/gunicorn.conf.py"]
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    return Server("gunicorn", command, env, f"http://127.0.0.1:{port}/api/health", log_dir)

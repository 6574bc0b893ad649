"""The benchmark cases. Each compares our code with a floor: the least work that gives the same result."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from benchmarks.runner import Result, measure
from documents import s3
from documents.constants import DocumentStatus, UploadSource
from documents.models import Document
from workspaces.models import Workspace

MB = 1024 * 1024


def _floor_signature(secret: str, region: str, key: str, content_type: str, max_size: int) -> dict[str, str]:
    """The irreducible work of a SigV4 POST: policy JSON, base64, one HMAC with a day's cached key."""
    now = datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    policy = {
        "expiration": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "conditions": [
            ["eq", "$key", key],
            ["eq", "$Content-Type", content_type],
            ["content-length-range", 1, max_size],
            {"bucket": "b"},
            {"x-amz-date": stamp},
        ],
    }
    encoded = base64.b64encode(json.dumps(policy).encode()).decode()
    signature = hmac.new(_FLOOR_KEY, encoded.encode(), hashlib.sha256).hexdigest()
    return {"Policy": encoded, "X-Amz-Signature": signature}


_FLOOR_KEY = hashlib.sha256(b"a cached SigV4 signing key").digest()


def signing_cases(repeat: int) -> list[Result]:
    key = "ws/endClient/sr_x/passport_scan.pdf"

    def ours() -> None:
        s3.sign_post(
            key=key, content_type="application/pdf", min_size=1, max_size=15 * MB, metadata={}, expires_in=3600
        )

    def botocore_reference() -> None:
        s3.s3_client().generate_presigned_post(
            Bucket=s3.bucket_name(),
            Key=key,
            Fields={"Content-Type": "application/pdf"},
            Conditions=[["eq", "$Content-Type", "application/pdf"], ["content-length-range", 1, 15 * MB]],
            ExpiresIn=3600,
        )

    def floor() -> None:
        _floor_signature("secret", "us-east-1", key, "application/pdf", 15 * MB)

    return [
        measure(
            "sign one presigned POST (ours)",
            ours,
            floor="policy+base64+1 HMAC",
            floor_fn=floor,
            repeat=repeat,
            target="ratio <= 3",
            queries=False,
        ),
        measure(
            "sign one presigned POST (botocore)",
            botocore_reference,
            floor="policy+base64+1 HMAC",
            floor_fn=floor,
            repeat=repeat,
            target="reference",
            queries=False,
        ),
    ]


def s3_presign_case(workspace: Workspace, raw_key: str, repeat: int) -> Result:
    client = Client(HTTP_X_API_KEY=raw_key)
    url = reverse("s3-presigned-post")
    params = {"filename": "report.pdf", "contenttype": "application/pdf", "source": "field_value"}

    def request() -> None:
        response = client.get(url, params)
        assert response.status_code == 200, response.content

    def floor() -> None:
        document = Document.objects.create(
            workspace=workspace,
            key=f"{workspace.public_id}/bench/{uuid.uuid4()}/report.pdf",
            original_name="report.pdf",
            sanitized_name="report.pdf",
            content_type="application/pdf",
            max_size=15 * MB,
            source=UploadSource.FIELD_VALUE,
            status=DocumentStatus.AWAITING_UPLOAD,
            upload_expires_at=timezone.now() + timedelta(minutes=5),
        )
        s3.sign_post(
            key=document.key,
            content_type="application/pdf",
            min_size=1,
            max_size=15 * MB,
            metadata={},
            expires_in=300,
        )

    return measure(
        "GET /api/s3/presigned-post (in-process)",
        request,
        floor="ORM insert + sign",
        floor_fn=floor,
        repeat=repeat,
        target="reported",
    )


# --- HTTP throughput -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


WORKERS = 2
WARMUP_SECONDS = 3


class Gunicorn:
    """gunicorn with 2 workers on 127.0.0.1, sharing the benchmark's database and S3 emulator."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.env = env or {}  # on top of the bench's own environment: a switch turned off

    def __enter__(self) -> Gunicorn:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "AWS_S3_ENDPOINT_URL": str(settings.AWS_S3_ENDPOINT_URL),
            "AWS_STORAGE_BUCKET_NAME": s3.bucket_name(),
            "LOG_LEVEL": "WARNING",
            **self.env,
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "benchmarks.wsgi",
                f"--workers={WORKERS}",
                "--worker-class=gthread",
                "--threads=4",
                f"--bind=127.0.0.1:{self.port}",
                "--log-level=warning",
            ],
            env=env,
            cwd=settings.BASE_DIR,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._listening() and len(self.worker_pids()) == WORKERS:
                # The port answers as soon as the master listens; a run that starts while one worker still boots
                # gets every connection on the other (the floor then measured 2,200 instead of 5,500 req/s).
                wrk_output(self.url("/api/health"), seconds=WARMUP_SECONDS, headers={})
                return self
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def pids(self) -> list[int]:
        """The master's and its workers' process ids."""
        assert self.process is not None
        return [self.process.pid, *self.worker_pids()]

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


_WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_WRK_P99 = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)", re.MULTILINE)
_WRK_COUNT = re.compile(r"(\d+) requests in ")


def wrk_output(
    url: str,
    *,
    seconds: int,
    headers: dict[str, str],
    script: str | None = None,
    script_args: list[str] | None = None,
    fair: Callable[[], bool] | None = None,
) -> str:
    """The output of a bounded wrk run against 127.0.0.1; a failed request or a script's BENCH-ERROR raises.

    With ``fair``, the run is stopped and ``UnbalancedRun`` raised if ``fair()`` is false after its first seconds.
    """
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (make bench installs Debian's wrk)")
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    command.append(url)  # wrk takes its options before the URL
    if script_args:
        command += ["--", *script_args]  # handed to the script's init(args)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        if fair is not None and seconds > BALANCE_CHECK_SECONDS:
            time.sleep(BALANCE_CHECK_SECONDS)
            if not fair():
                process.kill()
                process.communicate()
                raise UnbalancedRun(url)
        try:
            output, errors = process.communicate(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise RuntimeError(f"wrk did not finish within {seconds + 60} s") from None
    if process.returncode:
        raise RuntimeError(f"wrk failed ({process.returncode}): {errors}")
    if "Non-2xx" in output or "Socket errors" in output or "BENCH-ERROR" in output:
        raise RuntimeError(f"requests failed during the wrk run:\n{output}")
    return output


@dataclass(frozen=True)
class WrkRun:
    requests_per_second: float
    p99_ms: float
    # Busy CPU of the whole machine (gunicorn, the database, wrk) per request: steadier than req/s on a shared
    # machine, and it says what a request costs where req/s only says how many fit.
    cpu_ms_per_request: float
    # The same split by process: gunicorn (master and workers) and the PostgreSQL server (None on SQLite, which
    # runs inside gunicorn).
    app_cpu_ms_per_request: float
    db_cpu_ms_per_request: float | None
    # CPU seconds of each gunicorn worker during the run.
    worker_cpu_seconds: tuple[float, ...]

    def extra(self, prefix: str = "") -> dict[str, Any]:
        return {f"{prefix}{name}": _rounded(value) for name, value in asdict(self).items()}


def _rounded(value: Any) -> Any:
    """A measurement (or a tuple of them, or None) to three decimals, for the JSON table."""
    if isinstance(value, tuple):
        return [_rounded(item) for item in value]
    return None if value is None else round(value, 3)


# wrk opens its connections when it starts, and now and then one gunicorn worker accepts every one of them: the
# run then measures one worker while the other idles (the floor read 2,300 instead of 5,500 req/s, about one run
# in three). A run whose workers' CPU differs that much after its first seconds is stopped and started again.
BALANCE_CHECK_SECONDS = 2
BALANCE_MIN_SHARE = 0.25  # the idler worker's CPU against the busier one's
BALANCE_ATTEMPTS = 5


class UnbalancedRun(Exception):
    """A wrk run stopped early because one worker served (nearly) all of it."""


def balanced_run(run: Callable[[bool], WrkRun]) -> WrkRun:
    """``run(True)`` (a run that stops early when unbalanced) until one completes; the last attempt is
    ``run(False)``, kept whatever its balance. ``run`` must be repeatable: a submit run makes fresh tokens."""
    for _ in range(BALANCE_ATTEMPTS - 1):
        try:
            return run(True)
        except UnbalancedRun:
            continue
    return run(False)


def busy_cpu_seconds() -> float:
    """CPU seconds the machine has spent neither idle nor waiting for I/O since boot (Linux ``/proc/stat``)."""
    user, nice, system, idle, iowait, irq, softirq, steal = (
        int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each live process of ``pids`` (Linux ``/proc/<pid>/stat``)."""
    seconds = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state is field 0, utime 11, stime 12
        seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings, a process that started in between counting from zero."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def postgres_pids() -> list[int]:
    """The local PostgreSQL server's processes (postmaster, backends, writers); none when it runs elsewhere."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def wrk_run(
    server: Gunicorn,
    path: str,
    *,
    seconds: int,
    headers: dict[str, str],
    script: str | None = None,
    script_args: list[str] | None = None,
    require_balance: bool = False,
) -> WrkRun:
    """A bounded wrk run against ``server``: requests per second, p99 latency and CPU per request (all, by process).

    With ``require_balance`` an unbalanced run raises ``UnbalancedRun`` after its first seconds (``balanced_run``).

    The database's CPU is read only for a PostgreSQL server on this machine. A backend that a gunicorn thread
    connects during the run counts from its start; one that also ends within it is missed (connections persist).
    """
    workers = server.worker_pids()
    busy = busy_cpu_seconds()
    app = process_cpu_seconds(server.pids())
    db = process_cpu_seconds(postgres_pids()) if connection.vendor == "postgresql" else {}

    def fair() -> bool:
        now = process_cpu_seconds(workers)
        used = [now.get(pid, 0.0) - app.get(pid, 0.0) for pid in workers]
        return min(used) >= BALANCE_MIN_SHARE * max(used)

    output = wrk_output(
        server.url(path),
        seconds=seconds,
        headers=headers,
        script=script,
        script_args=script_args,
        fair=fair if require_balance else None,
    )
    busy = busy_cpu_seconds() - busy
    app_after = process_cpu_seconds(server.pids())
    app_used = _cpu_used(app, app_after)
    db_used = _cpu_used(db, process_cpu_seconds(postgres_pids())) if db else None
    rps_match, p99_match, count_match = _WRK_RPS.search(output), _WRK_P99.search(output), _WRK_COUNT.search(output)
    if not rps_match or not p99_match or not count_match:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    p99_ms = float(p99_match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99_match.group(2)]
    requests = max(1, int(count_match.group(1)))
    return WrkRun(
        requests_per_second=float(rps_match.group(1)),
        p99_ms=p99_ms,
        cpu_ms_per_request=busy * 1000 / requests,
        app_cpu_ms_per_request=app_used * 1000 / requests,
        db_cpu_ms_per_request=None if db_used is None else db_used * 1000 / requests,
        worker_cpu_seconds=tuple(app_after.get(pid, 0.0) - app.get(pid, 0.0) for pid in workers),
    )


def throughput_case(
    server: Gunicorn, case: str, path: str, *, headers: dict[str, str], floor: WrkRun, seconds: int, target: str
) -> Result:
    run = balanced_run(lambda check: wrk_run(server, path, seconds=seconds, headers=headers, require_balance=check))
    return throughput_result(case, run, floor, target=target)


def throughput_result(case: str, run: WrkRun, floor: WrkRun, *, target: str, **extra: Any) -> Result:
    """A throughput row: ms per request (shown as req/s) against the floor's, with the CPU per request of both."""
    return Result(
        case=case,
        median_ms=1000 / run.requests_per_second if run.requests_per_second else float("inf"),
        p95_ms=run.p99_ms,
        queries=None,
        floor="GET /api/health rps",
        floor_median_ms=1000 / floor.requests_per_second if floor.requests_per_second else None,
        target=target,
        extra={
            **run.extra(),
            **floor.extra("floor_"),
            "share_of_floor": round(run.requests_per_second / floor.requests_per_second, 3)
            if floor.requests_per_second
            else None,
            **extra,
        },
        unit="rps",
    )

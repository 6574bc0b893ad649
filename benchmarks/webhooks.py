"""Webhook deliveries through the real broker and two worker processes: commit-to-delivery latency of 1,000
events, and a run in which one worker is killed mid-way (every event must still arrive; duplicates counted)."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import urllib3
from django.conf import settings
from django.db import connection, transaction

from benchmarks.runner import Result
from webhooks.constants import DeliveryStatus, EventType
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create, webhook_event_emit
from workspaces.models import Workspace

EVENTS = 1000
KILL_RUN_EVENTS = 500
PACE_PER_SECOND = 50.0  # a steady stream, so the latency is the path's, not a queue's
LEASE_SECONDS = 5  # a killed worker's delivery is due again this soon (production: 120 s)
DEADLINE_SECONDS = 180.0


class _Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    def count(self) -> int:
        with self.lock:
            return sum(len(times) for times in self.arrivals.values())

    def distinct(self) -> int:
        with self.lock:
            return len(self.arrivals)


@contextmanager
def _receiver() -> Iterator[tuple[_Receiver, str]]:
    receiver = _Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            arrived = time.time()
            with receiver.lock:
                receiver.arrivals.setdefault(self.headers["webhook-id"], []).append(arrived)
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield receiver, f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def _workers(base: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Two worker processes on the bench's broker; the second runs beat too (the sweep, every second)."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        "WEBHOOK_LEASE_SECONDS": str(LEASE_SECONDS),
        "WEBHOOK_SWEEP_SECONDS": "1",
    }
    processes: list[subprocess.Popen[bytes]] = []
    for n in (1, 2):
        log = base / f"worker{n}.log"
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-n", f"bench{n}@%h"]
        command += ["-l", "INFO", "--logfile", str(log), "--without-gossip", "--without-mingle"]
        if n == 2:
            command += ["--beat", "-s", str(base / "beat-schedule")]
        processes.append(subprocess.Popen(command, env=env, cwd=settings.BASE_DIR))
    try:
        deadline = time.monotonic() + 60
        for n in (1, 2):
            log = base / f"worker{n}.log"
            while not (log.exists() and " ready." in log.read_text(errors="replace")):
                if time.monotonic() > deadline or processes[n - 1].poll() is not None:
                    raise RuntimeError(f"bench worker {n} did not start: {log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.2)
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _emit(workspace: Workspace, n: int, committed: dict[str, float]) -> None:
    """One event in its own transaction; the commit time is taken when the commit is done."""
    payload = {"id": f"SUB-BENCH{n:07d}", "status": "COMPLETED", "data": {"full_name": "Bench", "n": n}}
    with transaction.atomic():
        event = webhook_event_emit(workspace_id=workspace.pk, event_type=EventType.SUBMISSION_CREATED, payload=payload)
        assert event is not None
        transaction.on_commit(lambda: committed.__setitem__(event.public_id, time.time()))


def _wait_all(receiver: _Receiver, total: int) -> float:
    started = time.monotonic()
    while receiver.distinct() < total and time.monotonic() - started < DEADLINE_SECONDS:
        time.sleep(0.05)
    return time.monotonic() - started


def _floor(url: str, repeat: int = 200) -> float:
    """The same POST made straight from this process: what a delivery costs without the outbox and the broker."""
    pool = urllib3.PoolManager()
    body = b'{"data":{"full_name":"Bench"}}'
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        pool.request("POST", url, body=body, headers={"webhook-id": f"floor-{start}"}, retries=False)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def webhook_cases(workspace: Workspace) -> list[Result]:
    configured = settings.WEBHOOK_ALLOW_PRIVATE_URLS, settings.WEBHOOK_LEASE_SECONDS
    settings.WEBHOOK_ALLOW_PRIVATE_URLS, settings.WEBHOOK_LEASE_SECONDS = True, LEASE_SECONDS
    try:
        with _receiver() as (receiver, url), tempfile.TemporaryDirectory() as tmp, _workers(Path(tmp)) as workers:
            webhook_endpoint_create(
                workspace=workspace, url=url, event_types=[EventType.SUBMISSION_CREATED], acting_user=None
            )
            floor_ms = _floor(url)
            receiver.arrivals.clear()
            committed: dict[str, float] = {}
            started = time.monotonic()
            for n in range(EVENTS):
                _emit(workspace, n, committed)
                time.sleep(max(0.0, started + (n + 1) / PACE_PER_SECOND - time.monotonic()))
            _wait_all(receiver, EVENTS)
            total = time.monotonic() - started
            latencies = [
                (receiver.arrivals[key][0] - at) * 1000 for key, at in committed.items() if key in receiver.arrivals
            ]
            paced = Result(
                case=(
                    f"webhooks: {EVENTS:,} events sent at {PACE_PER_SECOND:.0f}/s, 2 workers, commit to delivery "
                    f"({len(latencies)} delivered in {total:.0f} s)"
                ),
                median_ms=_percentile(latencies, 0.5),
                p95_ms=_percentile(latencies, 0.99),
                queries=None,
                floor="the same POST from this process",
                floor_median_ms=floor_ms,
                target="every event delivered",
                unit="p99",
                extra={"delivered": len(latencies), "events": EVENTS},
            )

            receiver.arrivals.clear()
            committed.clear()
            killed_at = 0
            for n in range(KILL_RUN_EVENTS):
                _emit(workspace, EVENTS + n, committed)
                if not killed_at and receiver.distinct() >= KILL_RUN_EVENTS // 5:
                    workers[0].send_signal(signal.SIGKILL)  # mid-way: deliveries under way, more still coming
                    killed_at = receiver.distinct()
            if not killed_at:
                workers[0].send_signal(signal.SIGKILL)
                killed_at = receiver.distinct()
            took = _wait_all(receiver, KILL_RUN_EVENTS)
            delivered = receiver.distinct()
            duplicates = receiver.count() - delivered
            pending = WebhookDelivery.objects.filter(event__public_id__in=list(committed)).exclude(
                status=DeliveryStatus.DELIVERED
            )
            settle = time.monotonic() + 30  # the last attempts record their outcome after the receiver answered
            while pending.exists() and time.monotonic() < settle:
                time.sleep(0.2)
            pending_count = pending.count()
            killed = Result(
                case=(
                    f"webhooks: {KILL_RUN_EVENTS} events, one of 2 workers killed (SIGKILL) after {killed_at}: "
                    f"{delivered}/{KILL_RUN_EVENTS} delivered, {duplicates} duplicates, {pending_count} unrecorded"
                ),
                median_ms=took * 1000,
                p95_ms=took * 1000,
                queries=None,
                floor="-",
                floor_median_ms=None,
                target=f"all {KILL_RUN_EVENTS} delivered",
                extra={
                    "delivered": delivered,
                    "duplicates": duplicates,
                    "killedAfter": killed_at,
                    "pending": pending_count,
                },
            )
            return [paced, killed]
    finally:
        settings.WEBHOOK_ALLOW_PRIVATE_URLS, settings.WEBHOOK_LEASE_SECONDS = configured

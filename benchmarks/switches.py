"""What each piece of the performance layer (``perf/``) earns: a user-facing row with the piece on, against the
same row with its switch off, in the same run (the submit for most pieces; the list and the queue for
``PERF_SQL_MEMO`` and ``PERF_ADMIN_CHECKBOX``).

In process, each sample sets the switch before it (untimed) and the two sides are interleaved by ``measure``;
every sample starts as a server's request does (``close_old_connections``, which the test client leaves out),
so the connection health check is part of it. Over HTTP, two gunicorns run side by side, one started with the
switch off and warmed by a short run like the first, and take turns under wrk (on, off, off, on). The ratio is
on / off: a piece earns its place when the row with it off costs at least 10% more (ratio <= 0.91).
"""

from __future__ import annotations

import math
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from benchmarks.cases import Gunicorn, WrkRun
from benchmarks.public_actions import PROBE_SECONDS, PublicActionBench, sized_submit_run
from benchmarks.queue import queue_client
from benchmarks.runner import Result, measure, p95
from benchmarks.submissions import list_dataset, list_rows
from workspaces.models import Workspace

TARGET = "earns >= 10% (ratio <= 0.91)"


@dataclass(frozen=True)
class Switch:
    setting: str
    piece: str
    postgresql_only: bool


SWITCHES = (
    Switch("PERF_HISTORY_CTE", "write + history rows in one statement", postgresql_only=True),
    Switch("PERF_SIGNER", "own SigV4 POST signer", postgresql_only=False),
)


# Pieces measured on the list and the review queue instead of the submit (in process only).
LIST_SWITCH = Switch("PERF_SQL_MEMO", "compiled list SQL, reused per caller, filters and page", postgresql_only=False)
QUEUE_SWITCH = Switch("PERF_ADMIN_CHECKBOX", "the queue's row checkbox written out", postgresql_only=False)


def active_switches() -> list[Switch]:
    """The switches whose piece runs on this database."""
    return [switch for switch in SWITCHES if connection.vendor == "postgresql" or not switch.postgresql_only]


def _setter(name: str, value: bool, then: Callable[[], object]) -> Callable[[], None]:
    def setup() -> None:
        setattr(settings, name, value)
        then()
        close_old_connections()

    return setup


def _on_off(
    case: str, switch: Switch, fn: Callable[[], object], prepare: Callable[[], object], repeat: int
) -> list[Result]:
    """The row on against off in wall-clock time, and beside it the CPU time of the thread that ran it (which
    a loaded machine disturbs less; the database's share is not in it)."""
    cpu: dict[bool, list[float]] = {True: [], False: []}

    def timed(on: bool) -> Callable[[], None]:
        def run() -> None:
            start = time.thread_time()
            fn()
            cpu[on].append((time.thread_time() - start) * 1000)

        return run

    try:
        result = measure(
            f"{case}, {switch.setting} on",
            timed(True),
            floor=f"{switch.setting}=0",
            floor_fn=timed(False),
            repeat=repeat,
            setup=_setter(switch.setting, True, prepare),
            floor_setup=_setter(switch.setting, False, prepare),
            target=TARGET,
        )
    finally:
        setattr(settings, switch.setting, True)
    result.extra["piece"] = switch.piece
    on_cpu, off_cpu = statistics.median(cpu[True]), statistics.median(cpu[False])
    thread_cpu = Result(
        case="  same, CPU time of the requesting thread",
        median_ms=on_cpu,
        p95_ms=p95(cpu[True]),
        queries=None,
        floor=f"{switch.setting}=0",
        floor_median_ms=off_cpu,
        target=TARGET,
    )
    return [result, thread_cpu]


def switch_cases(workspace: Workspace, raw_key: str, repeat: int) -> list[Result]:
    """Each active switch on the in-process submit (10 files); the signer also on the presigned-post GET."""
    bench = PublicActionBench(workspace)
    tokens: list[str] = []
    results: list[Result] = []
    for switch in active_switches():
        results += _on_off(
            "POST /v3/public/actions/{token} (10 files)",
            switch,
            lambda: bench.submit(tokens[-1], 10),
            lambda: tokens.append(bench.new_token()),
            repeat,
        )
    client = Client(HTTP_X_API_KEY=raw_key)
    params = {"filename": "report.pdf", "contenttype": "application/pdf", "source": "field_value"}

    def presign() -> None:
        response = client.get(reverse("s3-presigned-post"), params)
        assert response.status_code == 200, response.content

    signer = next(switch for switch in SWITCHES if switch.setting == "PERF_SIGNER")
    results += _on_off("GET /api/s3/presigned-post (in-process)", signer, presign, lambda: None, repeat)
    dataset = list_dataset(list_rows())
    url = reverse("submission-list")

    def page() -> None:
        response = dataset.client.get(url, {"limit": 10})
        assert response.status_code == 200, response.content

    case = f"GET /api/submissions page 1, limit 10 ({dataset.rows:,} rows, as a member)"
    results += _on_off(case, LIST_SWITCH, page, lambda: None, repeat)
    reviewer = queue_client(dataset)
    queue_url = reverse("admin:submissions_submission_changelist")

    def queue_page() -> None:
        response = reviewer.get(queue_url)
        assert response.status_code == 200, response.status_code

    case = f"admin queue page 1 ({dataset.rows:,} rows, as a member)"
    results += _on_off(case, QUEUE_SWITCH, queue_page, lambda: None, repeat)
    return results


def http_switch_cases(workspace: Workspace, *, seconds: int) -> list[Result]:
    """The 2-file submit under wrk, with each active switch on and off (``seconds`` per side, in two halves)."""
    bench = PublicActionBench(workspace)
    results = []
    with Gunicorn() as on_server, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        probe = sized_submit_run(on_server, bench, folder, tokens=2_000, seconds=PROBE_SECONDS)
        # generous: a run that runs out is repeated with 20,000 fresh tokens, slow to make on a loaded machine
        tokens = math.ceil(probe.requests_per_second * seconds / 2 * 3) + 500
        for switch in active_switches():
            with Gunicorn(env={switch.setting: "false"}) as off_server:
                # warm like the on server (connections, prepared statements), or the off side pays for a cold start
                sized_submit_run(off_server, bench, folder, tokens=2_000, seconds=PROBE_SECONDS)
                runs: dict[bool, list[WrkRun]] = {True: [], False: []}
                for on in (True, False, False, True):
                    server = on_server if on else off_server
                    runs[on].append(sized_submit_run(server, bench, folder, tokens=tokens, seconds=seconds // 2))
            results += _throughput_on_off(switch, runs[True], runs[False])
    return results


def _process_cpu(run: WrkRun) -> float:
    """CPU ms per request of gunicorn and (on PostgreSQL) the database: other work on the machine left out."""
    return run.app_cpu_ms_per_request + (run.db_cpu_ms_per_request or 0.0)


def _throughput_on_off(switch: Switch, on: list[WrkRun], off: list[WrkRun]) -> list[Result]:
    """The on/off throughput row, and beside it the same runs' gunicorn + database CPU per request."""

    def mean(values: list[float]) -> float:
        return sum(values) / len(values)

    on_cpu, off_cpu = mean([_process_cpu(run) for run in on]), mean([_process_cpu(run) for run in off])
    rps_on, rps_off = mean([run.requests_per_second for run in on]), mean([run.requests_per_second for run in off])
    return [
        Result(
            case=f"HTTP POST /v3/public/actions/{{token}} (2 files), {switch.setting} on",
            median_ms=1000 / rps_on,
            p95_ms=max(run.p99_ms for run in on),
            queries=None,
            floor=f"{switch.setting}=0",
            floor_median_ms=1000 / rps_off,
            target=TARGET,
            extra={"piece": switch.piece, "on": [run.extra() for run in on], "off": [run.extra() for run in off]},
            unit="rps",
        ),
        Result(
            case="  same, gunicorn + database CPU per request",
            median_ms=on_cpu,
            p95_ms=on_cpu,
            queries=None,
            floor=f"{switch.setting}=0",
            floor_median_ms=off_cpu,
            target=TARGET,
        ),
    ]

"""`make bench`: the benchmark table, as ratios to floors measured in the same run."""

from __future__ import annotations

import argparse
import json
import platform
import socket
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone
from moto.server import ThreadedMotoServer

from benchmarks import cases, public_actions, scans, switches
from benchmarks import exports as export_cases
from benchmarks import queue as queue_cases
from benchmarks import submissions as submission_cases
from benchmarks import webhooks as webhook_cases
from benchmarks.runner import Result, format_table
from config.celery import app as celery_app
from documents import s3
from workspaces.constants import Role
from workspaces.models import Workspace
from workspaces.services import api_key_create, workspace_create


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# "perf" and "perf-http": each piece of the performance layer on and off (benchmarks/switches.py).
GROUPS = (
    "signing",
    "submit",
    "confirm",
    "scan",
    "list",
    "queue",
    "export",
    "snapshots",
    "perf",
    "http",
    "perf-http",
    "webhooks",
)


def _groups(value: str) -> tuple[str, ...]:
    groups = tuple(group.strip() for group in value.split(",") if group.strip())
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown or not groups:
        raise argparse.ArgumentTypeError(f"unknown groups {unknown}; choose from {', '.join(GROUPS)}")
    return groups


class Command(BaseCommand):
    help = "Run the benchmarks on the configured database with an S3 emulator on 127.0.0.1."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", default="bench-results.json", help="Where the JSON table goes.")
        parser.add_argument("--repeat", type=int, default=200, help="Samples per in-process case.")
        parser.add_argument("--http-seconds", type=int, default=20, help="Length of each wrk run.")
        parser.add_argument("--skip-http", action="store_true", help="Leave out the gunicorn + wrk cases.")
        parser.add_argument(
            "--only",
            type=_groups,
            default=GROUPS,
            help=f"Comma-separated groups to run, of: {', '.join(GROUPS)} (default: all).",
        )

    def handle(
        self,
        *args: Any,
        output: str,
        repeat: int,
        http_seconds: int,
        skip_http: bool,
        only: tuple[str, ...],
        **options: Any,
    ) -> None:
        if settings.DEBUG:
            self.stderr.write("DEBUG is on: every query is also logged; run with DJANGO_DEBUG=false (make bench does).")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        configured = settings.AWS_S3_ENDPOINT_URL, settings.AWS_S3_ADDRESSING_STYLE
        settings.AWS_S3_ENDPOINT_URL = f"http://{host}:{port}"
        settings.AWS_S3_ADDRESSING_STYLE = "path"
        s3.clear_cached_clients()
        s3.ensure_bucket()
        self.profiles: dict[str, str] = {}
        try:
            groups = tuple(group for group in only if not (skip_http and group in ("http", "perf-http")))
            results = self._run(repeat=repeat, http_seconds=http_seconds, groups=groups)
        finally:
            server.stop()
            settings.AWS_S3_ENDPOINT_URL, settings.AWS_S3_ADDRESSING_STYLE = configured
            s3.clear_cached_clients()
            if not celery_app.conf.task_always_eager:
                # The cases queue a scan per accepted file, as production does; no worker runs beside a bench (make
                # bench gives it a broker db of its own), so they are dropped.
                celery_app.control.purge()

        title = f"{connection.vendor} · {timezone.now():%Y-%m-%d} · {platform.machine()} · {_cpu_count()} cores"
        table = format_table(results, title)
        self.stdout.write(table)
        Path(output).write_text(
            json.dumps(
                {
                    "date": timezone.now().isoformat(),
                    "database": connection.vendor,
                    "machine": {"platform": platform.platform(), "cpus": _cpu_count()},
                    "results": [result.as_dict() for result in results],
                    "table": table,
                    "profiles": self.profiles,
                },
                indent=2,
            )
        )
        self.stdout.write(f"\nWrote {output}")
        if self.profiles:
            profile_path = Path(output).with_suffix(".profile.txt")
            profile_path.write_text("".join(f"## {case}\n{text}\n" for case, text in self.profiles.items()))
            self.stdout.write(f"Wrote {profile_path} (pyinstrument: where the time goes)")

    def _run(self, *, repeat: int, http_seconds: int, groups: tuple[str, ...]) -> list[Result]:
        workspace = workspace_create(name=f"Benchmark {timezone.now():%H%M%S}", owner=None)
        _, raw_key = api_key_create(workspace=workspace, name="bench", acting_user=None, role=Role.OWNER)
        results: list[Result] = []
        if "signing" in groups:
            results += cases.signing_cases(repeat * 10)
            results.append(cases.s3_presign_case(workspace, raw_key, repeat))
        if "submit" in groups:
            results += public_actions.submit_cases(workspace, repeat)
            self.profiles["submit (2 files)"] = public_actions.submit_profile(workspace)
        if "confirm" in groups:
            results += public_actions.confirm_cases(workspace, repeat)
            results.append(public_actions.upload_path_bytes(workspace))
            results.append(public_actions.acceptance_case(workspace, repeat))
        if "scan" in groups:
            results += scans.scan_cases(workspace, repeat)
        if "list" in groups:
            results += submission_cases.list_cases(submission_cases.list_rows(), repeat)
        if "queue" in groups:
            results += queue_cases.queue_cases(submission_cases.list_rows(), repeat)
        if "export" in groups:
            results += export_cases.export_cases(submission_cases.list_rows())
        if "snapshots" in groups:
            results += submission_cases.snapshot_cases(repeat)
        if "perf" in groups:
            results += switches.switch_cases(workspace, raw_key, repeat)
        if "http" in groups:
            results += self._http(workspace, raw_key, http_seconds)
        if "perf-http" in groups:
            results += switches.http_switch_cases(workspace, seconds=http_seconds)
        if "webhooks" in groups:
            results += webhook_cases.webhook_cases(workspace)
        return results

    def _http(self, workspace: Workspace, raw_key: str, seconds: int) -> list[Result]:
        headers = {"X-API-KEY": raw_key}
        with cases.Gunicorn() as server:
            floor = cases.balanced_run(
                lambda check: cases.wrk_run(server, "/api/health", seconds=seconds, headers={}, require_balance=check)
            )
            presign = cases.throughput_case(
                server,
                "HTTP GET /api/s3/presigned-post",
                "/api/s3/presigned-post?filename=a.pdf&contenttype=application/pdf&source=field_value",
                headers=headers,
                floor=floor,
                seconds=seconds,
                target="reported",
            )
            prototype = public_actions.prototype_run(server, workspace, seconds=seconds)
            submit = public_actions.submit_throughput_case(server, workspace, floor=floor, seconds=seconds)
            dataset = submission_cases.list_dataset(submission_cases.list_rows())
            listing = cases.throughput_case(
                server,
                f"HTTP GET /api/submissions (page of 10, {dataset.rows:,} rows, as a member)",
                "/api/submissions?limit=10",
                headers={"X-API-KEY": dataset.raw_key, "X-USER-ID": str(dataset.member.pk)},
                floor=floor,
                seconds=seconds,
                target=">= 500 req/s",
            )
        floor_row = Result(
            case="HTTP GET /api/health (floor)",
            median_ms=1000 / floor.requests_per_second,
            p95_ms=floor.p99_ms,
            queries=0,
            floor="-",
            floor_median_ms=None,
            target="floor",
            extra=floor.extra(),
            unit="rps",
        )
        prototype_row = cases.throughput_result(
            "HTTP POST prototype: validate, 1 row + history, sign 2 POSTs",
            prototype,
            floor,
            target="reported (issue 6's reference: 17%)",
        )
        submit_rows = [
            submit,
            Result(
                case="  same, vs the prototype",
                median_ms=submit.median_ms,
                p95_ms=submit.p95_ms,
                queries=None,
                floor="prototype rps",
                floor_median_ms=prototype_row.median_ms,
                target="reported",
                unit="rps",
            ),
            _cpu_row(
                "  same, machine CPU per request",
                submit.extra["cpu_ms_per_request"],
                "GET /api/health CPU",
                floor.cpu_ms_per_request,
            ),
            _cpu_row(
                "  same, gunicorn CPU per request",
                submit.extra["app_cpu_ms_per_request"],
                "prototype's",
                prototype.app_cpu_ms_per_request,
            ),
        ]
        if prototype.db_cpu_ms_per_request is not None:
            submit_rows.append(
                _cpu_row(
                    "  same, PostgreSQL CPU per request",
                    submit.extra["db_cpu_ms_per_request"],
                    "prototype's",
                    prototype.db_cpu_ms_per_request,
                )
            )
        # The list's target in CPU: 500 req/s on two quiet cores leaves gunicorn about 2.5 ms a request.
        listing_cpu = _cpu_row(
            "  same, gunicorn CPU per request",
            listing.extra["app_cpu_ms_per_request"],
            "GET /api/health's",
            floor.app_cpu_ms_per_request,
        )
        return [floor_row, presign, prototype_row, *submit_rows, listing, listing_cpu]


def _cpu_row(case: str, value: float, floor: str, floor_value: float) -> Result:
    """CPU milliseconds per request of a throughput run against another run's."""
    return Result(
        case=case,
        median_ms=value,
        p95_ms=value,
        queries=None,
        floor=floor,
        floor_median_ms=floor_value,
        target="reported",
    )


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 0

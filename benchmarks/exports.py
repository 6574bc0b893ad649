"""Exports at scale (group ``export``): the CSV export of the list dataset (1M submissions on PostgreSQL, as its
MEMBER sees them) against PostgreSQL's own ``COPY (SELECT ...) TO STDOUT`` of the same rows and columns, and the
XLSX export of 100k submissions of 20 fields against xlsxwriter writing the same rows' raw values.

Each run is a process of its own (``python -m benchmarks.export_child <case> ...``), as a worker's export job is: it
sets Django up, reads its idle RSS, writes the file to a temporary file with the writers an export job uses
(``submissions.exports.export_write``), and reports its time and its peak RSS (``ru_maxrss``) above idle. Runs of
case and floor alternate, so a burst of load on the shared machine hits both alike. On PostgreSQL the CSV's runs
also alternate with the same export started with ``PERF_EXPORT_COPY=false`` (the Python writer): the on/off row of
the performance layer's rule (``benchmarks.switches.TARGET``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.fields.json import KeyTextTransform

from benchmarks.runner import Result
from benchmarks.submissions import list_dataset
from benchmarks.switches import TARGET as SWITCH_TARGET
from submissions.constants import ExportFormat, SubmissionStatus, VisibilityMode
from submissions.models import Submission
from submissions.services import form_create, form_publish
from workspaces.constants import Role
from workspaces.models import Workspace
from workspaces.services import membership_set, workspace_create

XLSX_ROWS = 100_000
XLSX_FIELDS = 20
RUNS = 2  # of each, alternating (a 1M-row export takes minutes); BENCH_EXPORT_RUNS overrides
CSV_TARGET = "<= 3x COPY; peak RSS <= idle + 100 MB"
XLSX_TARGET = "reported; peak RSS <= idle + 100 MB"
XLSX_SEED_VERSION = 1
COPY_SWITCH = "PERF_EXPORT_COPY"
DATASET_ID_RANGE = 10_000_000  # submission ids per XLSX dataset (11 hex digits hold 1.7 million ranges)


def runs() -> int:
    return int(os.environ.get("BENCH_EXPORT_RUNS") or RUNS)


def xlsx_rows() -> int:
    return int(os.environ.get("BENCH_EXPORT_XLSX_ROWS") or XLSX_ROWS)


# --- The XLSX dataset: one form of 20 text fields, N submissions, seeded once with one INSERT ... SELECT


def _xlsx_dataset(rows: int) -> tuple[Workspace, User]:
    slug = f"bench-export-v{XLSX_SEED_VERSION}-{rows}"
    username = f"{slug}-member"
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        with transaction.atomic():
            workspace = workspace_create(name=f"Bench export {rows}", owner=None, slug=slug)
            user, _ = User.objects.get_or_create(username=username, defaults={"first_name": "Bench"})
            membership_set(workspace=workspace, user=user, role=Role.MEMBER, acting_user=None)
            fields = [{"key": f"f{n:02}", "label": f"Field {n}", "type": "text"} for n in range(1, XLSX_FIELDS + 1)]
            form = form_create(workspace=workspace, title="Bench export", schema={"fields": fields}, acting_user=None)
            _insert(workspace, form_publish(form=form, acting_user=None), rows)
    return workspace, User.objects.get(username=username)


def _insert(workspace: Workspace, version: Any, rows: int) -> None:
    table = Submission._meta.db_table
    keys = [f"f{n:02}" for n in range(1, XLSX_FIELDS + 1)]
    if connection.vendor == "postgresql":
        pairs = ", ".join(f"'{key}', 'Answer {key} of client ' || i" for key in keys)
        data, source, series = f"json_build_object({pairs})::jsonb", "generate_series(1, %s) AS g(i)", ""
    else:
        pairs = ", ".join(f"'{key}', 'Answer {key} of client ' || i" for key in keys)
        data, source = f"json_object({pairs})", "g"
        series = "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < %s) "
    # Numbered past every other dataset's rows (each workspace's own range), so a second size seeds beside the first.
    n = f"(i + {int(workspace.pk) * DATASET_ID_RANGE})"
    public_id = (
        f"'SUB-X' || lpad(upper(to_hex({n})), 11, '0')"
        if connection.vendor == "postgresql"
        else f"'SUB-X' || printf('%%011X', {n})"
    )
    sql = (
        f"INSERT INTO {table} (public_id, workspace_id, form_id, form_version_id, status, data, metadata, "
        f"visibility_mode, created_at, updated_at) {series}SELECT {public_id}, %s, %s, %s, "
        f"'{SubmissionStatus.COMPLETED}', {data}, '{{}}', '{VisibilityMode.WORKSPACE}', %s, %s FROM {source}"
    )
    now = workspace.created_at
    values = [workspace.pk, version.form_id, version.pk, now, now]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, rows] if connection.vendor == "postgresql" else [rows, *values])


# --- The runs (parent side)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _run(case: str, workspace: Workspace, user: User, switch_off: bool = False) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
    if switch_off:
        env[COPY_SWITCH] = "false"
    command = [sys.executable, "-m", "benchmarks.export_child", case, str(workspace.pk), str(user.pk)]
    done = subprocess.run(command, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"bench export {case} failed: {done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _alternate(cases: list[tuple[str, bool]], workspace: Workspace, user: User) -> list[list[dict[str, Any]]]:
    """``runs()`` runs of each (case, with ``PERF_EXPORT_COPY`` off) in turn, so load hits them alike."""
    samples: list[list[dict[str, Any]]] = [[] for _ in cases]
    for _ in range(runs()):
        for done, (case, switch_off) in zip(samples, cases, strict=True):
            done.append(_run(case, workspace, user, switch_off))
    return samples


def _row(label: str, samples: list[dict[str, Any]], floors: list[dict[str, Any]], floor: str, target: str) -> Result:
    growth = max(run["peak_mb"] - run["idle_mb"] for run in samples)
    return Result(
        case=f"{label} (peak RSS +{growth:.0f} MB)",
        median_ms=statistics.median(run["seconds"] * 1000 for run in samples),
        p95_ms=max(run["seconds"] * 1000 for run in samples),
        queries=None,
        floor=floor,
        floor_median_ms=statistics.median(run["seconds"] * 1000 for run in floors),
        target=target,
        extra={"runs": samples, "floor_runs": floors, "rss_growth_mb": growth, "load": os.getloadavg()},
    )


def export_cases(list_rows: int) -> list[Result]:
    """The CSV row against COPY; on PostgreSQL, the same CSV runs against the export with ``PERF_EXPORT_COPY``
    off (the Python writer), in turn with them; the XLSX row."""
    dataset = list_dataset(list_rows)
    workspace, member = dataset.workspace, dataset.member
    label = f"CSV export of {list_rows:,} submissions (as a member)"
    if connection.vendor == "postgresql":
        on, floor, off = _alternate([("csv", False), ("csv-floor", False), ("csv", True)], workspace, member)
        rows = [
            _row(label, on, floor, "COPY (SELECT same rows, columns) TO STDOUT", CSV_TARGET),
            _row(f"{label}, {COPY_SWITCH} on", on, off, f"{COPY_SWITCH}=0 (the Python writer)", SWITCH_TARGET),
        ]
        rows[1].extra["piece"] = "the CSV export's SELECT and COPY (submissions/export_copy.py)"
    else:
        on, floor = _alternate([("csv", False), ("csv-floor", False)], workspace, member)
        rows = [_row(label, on, floor, "csv of the rows", CSV_TARGET)]
    count = xlsx_rows()
    workspace, member = _xlsx_dataset(count)
    xlsx, xlsx_floor = _alternate([("xlsx", False), ("xlsx-floor", False)], workspace, member)
    label = f"XLSX export of {count:,} submissions of {XLSX_FIELDS} fields"
    return [*rows, _row(label, xlsx, xlsx_floor, "xlsxwriter of the raw values, same rows", XLSX_TARGET)]


# --- One run (child side)


def _memory_mb(name: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (the peak) of this process, in MiB (``ru_maxrss`` would count the parent's)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(f"{name}:"))
    return int(line.split()[1]) / 1024


def _raw_rows(submissions: QuerySet[Submission], keys: list[str]) -> QuerySet[Any]:
    """The export's columns as stored (no labels, no formatting): the floor's SELECT."""
    fields = {f"field_{n}": KeyTextTransform(key, "data") for n, key in enumerate(keys)}
    return submissions.annotate(**fields).values_list(
        "public_id",
        "status",
        "form__title",
        "form_version__version",
        "created_at",
        "updated_at",
        "submitter_name",
        "user__username",
        "assignee_read_at",
        *fields,
    )


def _copy(rows: QuerySet[Any], target: IO[bytes]) -> None:
    sql, params = rows.query.sql_with_params()
    composed = connection.ops.compose_sql(sql, params)  # type: ignore[attr-defined]
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({composed}) TO STDOUT WITH (FORMAT csv)") as copy:
        for chunk in copy:
            target.write(chunk)


def _csv_floor(rows: QuerySet[Any], target: IO[bytes]) -> None:
    import csv
    import io

    text = io.TextIOWrapper(target, newline="")
    csv.writer(text).writerows(rows.iterator(chunk_size=2000))
    text.flush()
    text.detach()


def _xlsx_floor(rows: QuerySet[Any], target: IO[bytes]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet("Submissions")
    for number, row in enumerate(rows.iterator(chunk_size=2000)):
        for column, value in enumerate(row):
            sheet.write_string(number, column, "" if value is None else str(value))
    workbook.close()


def child(case: str, workspace_id: int, user_id: int) -> dict[str, Any]:
    from submissions.exports import export_layout, export_write
    from submissions.selectors import SubmissionFilters, submission_export_queryset
    from workspaces.access import user_contexts

    user = User.objects.get(pk=user_id)
    context = user_contexts(user)[workspace_id]
    submissions = submission_export_queryset(context=context, filters=SubmissionFilters())
    layout = export_layout(submissions)
    raw = _raw_rows(submissions, list(layout.fields))
    idle = _memory_mb("VmRSS")
    start = time.perf_counter()
    with tempfile.TemporaryFile() as target:
        if case == "csv":
            export_write(submissions=submissions, layout=layout, export_format=ExportFormat.CSV, target=target)
        elif case == "xlsx":
            export_write(submissions=submissions, layout=layout, export_format=ExportFormat.XLSX, target=target)
        elif case == "csv-floor":
            (_copy if connection.vendor == "postgresql" else _csv_floor)(raw, target)
        elif case == "xlsx-floor":
            _xlsx_floor(raw, target)
        else:
            raise SystemExit(f"unknown case {case}")
        size = target.tell()
    seconds = time.perf_counter() - start
    peak = _memory_mb("VmHWM")
    return {
        "case": case,
        COPY_SWITCH: settings.PERF_EXPORT_COPY,
        "seconds": seconds,
        "bytes": size,
        "idle_mb": round(idle, 1),
        "peak_mb": round(peak, 1),
    }

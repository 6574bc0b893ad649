"""`manage.py bench` (what `make bench` runs): every in-process case produces its row against a floor.

The HTTP group needs gunicorn and wrk against a database they can reach, so `make bench` itself exercises it;
here the other groups run with few samples on the test database, and what the rows say is checked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from benchmarks.switches import active_switches


@pytest.mark.django_db(transaction=True)
def test_bench_writes_a_row_per_case_with_its_floor_and_ratio(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tasks_to_broker: None
) -> None:
    """Acceptance queues scans on the broker, as in production (run eagerly, they would be measured)."""
    monkeypatch.setenv("BENCH_LIST_ROWS", "300")
    output = tmp_path / "bench.json"

    call_command(
        "bench",
        only=("signing", "submit", "confirm", "scan", "list", "snapshots", "perf"),
        repeat=5,
        output=str(output),
    )

    written = json.loads(output.read_text())
    rows = {row["case"]: row for row in written["results"]}
    expected = [
        "sign one presigned POST (ours)",
        "POST /v3/public/actions/{token} (10 files)",
        "POST /v3/public/actions/{token}/confirm (10 files)",
        "acceptance per file (1 MB): CopyObject with SHA-256",
        "GET /api/submissions page 1, limit 10 (300 rows)",
        "GET /api/submissions deep page by cursor (row 150) (300 rows)",
        "GET history (1,000 snapshots)",
        # each piece of the performance layer that runs on this database, on against off
        *(f"POST /v3/public/actions/{{token}} (10 files), {switch.setting} on" for switch in active_switches()),
        "GET /api/s3/presigned-post (in-process), PERF_SIGNER on",
        "GET /api/submissions page 1, limit 10 (300 rows, as a member), PERF_SQL_MEMO on",
        "admin queue page 1 (300 rows, as a member), PERF_ADMIN_CHECKBOX on",
    ]
    for case in expected:
        assert rows[case]["median_ms"] > 0 and rows[case]["floor_median_ms"] > 0, case
        assert rows[case]["ratio"] == pytest.approx(rows[case]["median_ms"] / rows[case]["floor_median_ms"], abs=0.01)
        assert case in written["table"]
    assert rows["GET /api/submissions page 1, limit 100 (300 rows)"]["queries"] <= 4
    # Django reads only the magic-byte prefix of each uploaded file, never the file.
    upload = next(row for case, row in rows.items() if case.startswith("bytes read by Django"))
    assert upload["extra"]["gets"] == 10 and upload["extra"]["per_file_max"] <= 64
    assert "submit (2 files)" in written["profiles"]
    switched = {row["floor"] for row in written["results"] if row["floor"].startswith("PERF_")}
    assert ("PERF_HISTORY_CTE=0" in switched) == (connection.vendor == "postgresql")
    # The scan of an accepted file, in MB/s against reading the same object from S3.
    scan = next(row for case, row in rows.items() if case.startswith("document_scan"))
    assert scan["unit"] == "MB/s" and scan["median_ms"] > 0 and scan["floor_median_ms"] > 0
    assert scan["ratio"] == pytest.approx(scan["median_ms"] / scan["floor_median_ms"], abs=0.01)
    assert f"{1000 / scan['median_ms']:.1f} MB/s" in written["table"]


@pytest.mark.django_db(transaction=True)
def test_bench_queue_rows_measure_the_changelist_as_a_member(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_LIST_ROWS", "300")
    output = tmp_path / "bench.json"

    call_command("bench", only=("queue",), repeat=5, output=str(output))

    rows = {row["case"]: row for row in json.loads(output.read_text())["results"]}
    for label in ("page 1", "status=PENDING", "search the data for an e-mail"):
        row = rows[f"admin queue {label} (300 rows, as a member)"]
        assert row["median_ms"] > 0 and row["floor_median_ms"] > 0, label
        assert row["queries"] <= 12 and row["extra"]["status"] == 200, label


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_bench_export_rows_time_and_measure_each_export_in_its_own_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child processes read the test database, so this runs on PostgreSQL (the rows' own database)."""
    monkeypatch.setenv("BENCH_LIST_ROWS", "300")
    monkeypatch.setenv("BENCH_EXPORT_XLSX_ROWS", "200")
    monkeypatch.setenv("BENCH_EXPORT_RUNS", "1")
    output = tmp_path / "bench.json"

    call_command("bench", only=("export",), repeat=1, output=str(output))

    rows = json.loads(output.read_text())["results"]
    assert [row["case"].split(" (peak")[0] for row in rows] == [
        "CSV export of 300 submissions (as a member)",
        "CSV export of 300 submissions (as a member), PERF_EXPORT_COPY on",
        "XLSX export of 200 submissions of 20 fields",
    ]
    csv_row, switch_row, xlsx_row = rows
    assert csv_row["floor"] == "COPY (SELECT same rows, columns) TO STDOUT"
    for row in rows:
        assert row["median_ms"] > 0 and row["floor_median_ms"] > 0
        (run,) = row["extra"]["runs"]
        assert run["bytes"] > 0 and run["peak_mb"] >= run["idle_mb"] > 0
        assert 0 <= row["extra"]["rss_growth_mb"] < 100
    # the switch row: the CSV row's own runs against the same export run with the switch off, the same file
    assert switch_row["floor"] == "PERF_EXPORT_COPY=0 (the Python writer)"
    assert switch_row["target"] == "earns >= 10% (ratio <= 0.91)"
    assert switch_row["extra"]["runs"] == csv_row["extra"]["runs"]
    (on,), (off,) = switch_row["extra"]["runs"], switch_row["extra"]["floor_runs"]
    assert on["PERF_EXPORT_COPY"] is True and off["PERF_EXPORT_COPY"] is False
    assert on["bytes"] == off["bytes"]
    # the member does not see every row (10% restricted, a quarter of them granted to it); drafts are left out
    assert csv_row["extra"]["runs"][0]["bytes"] > csv_row["extra"]["floor_runs"][0]["bytes"] / 3
    assert xlsx_row["extra"]["runs"][0]["bytes"] > 5000  # 200 rows of 20 answers, not an empty workbook

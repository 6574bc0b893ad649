"""The CSV export on PostgreSQL: the database shows every cell and streams the rows with ``COPY (<the export's
SELECT>) TO STDOUT``, byte for byte what the Python writer (``exports.export_csv_lines``) makes.

Each field type's display has a SQL twin beside it (``FieldType.display_sql``, pieces in
``formschema.displaysql``); the base columns (status label, form, version, ISO times, assignee's name, review state)
and the formula guard are SQL too. A cell SQL cannot be sure of (``PYTHON_CELL``) makes its row come out as its
stored values in JSON, which Python then writes with ``exports.export_row``; so do all rows of a form version whose
conditions may hide answers (hidden ones must stay blank). Exports with tables (repeatable sections, table_fill), or
whose every version has conditions, keep the Python writer: ``copy_select`` is None. So does every export with
``PERF_EXPORT_COPY`` off: the SELECT is built with Django's private API (``Query.sql_with_params``,
``compose_sql``), which the developers' guide allows only with a switch to measure what it earns.

The SELECT nests, around the export's queryset (its filters, visibility and order): the base cells and each
answer's jsonb, type and text; each field's display; the bidi controls stripped and the flag of a row Python must
write; the formula guard. Each level computes its columns once (``OFFSET 0`` keeps PostgreSQL from inlining them into
every use above). COPY ends its rows
with ``\\n``, Python's ``csv`` with ``\\r\\n``: ``_batch`` swaps them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet

from submissions.exports import (
    ROW_COLUMNS,
    STATUS_LABELS,
    CsvLines,
    ExportLayout,
    Progress,
    csv_cell,
    export_row,
)
from submissions.formschema.compile import CompiledSchema
from submissions.formschema.displaysql import (
    PYTHON_CELL,
    WHITESPACE,
    Answer,
    formula_guarded,
    literal,
    shown_cell,
    without_bidi,
)
from submissions.models import Submission

# What the innermost SELECT reads (c0, c1, ... in this order): ``exports.ROW_COLUMNS`` and the assignee's names.
_INNER = (*ROW_COLUMNS, "user__first_name", "user__last_name", "user__username")
_ISO = '\'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\''  # isoformat(timespec="seconds") of a UTC datetime
_PYTHON_ROW = PYTHON_CELL.encode()
BATCH_ROWS = 500


def _text(value: str) -> str:
    """A Python-made cell as a literal: guarded, and NULL when empty (COPY writes NULL as nothing, '' as "")."""
    cell = csv_cell(value)
    return literal(cell) if cell else "NULL"


def _by_version(layout: ExportLayout, values: dict[int, str]) -> str:
    """One expression for every row: the versions' own where they differ (``c2`` is the row's version)."""
    distinct = set(values.values())
    if not values:
        return "NULL"
    if len(distinct) == 1 and len(values) == len(layout.versions):
        return distinct.pop()
    arms = " ".join(f"WHEN {version} THEN {expression}" for version, expression in values.items())
    return f"CASE c2 {arms} END"


def _answer(n: int) -> Answer:
    return Answer(value=f"a{n}", kind=f"k{n}", text=f"s{n}")


def _hides_answers(compiled: CompiledSchema) -> bool:
    """Whether conditions may hide answers of this version (its rows are then Python's: hidden must stay blank)."""
    return any(item.condition is not None for item in compiled.fields.values()) or any(
        section.condition is not None for section in compiled.sections
    )


def _field_cells(layout: ExportLayout, python_versions: set[int]) -> list[str] | None:
    """Each field column's display (of ``_answer(n)`` for the n-th field) in the versions SQL shows, or None when
    one shows something SQL cannot."""
    cells = []
    for n, key in enumerate(layout.fields):
        by_version: dict[int, str] = {}
        for version, (_, _, compiled) in layout.versions.items():
            item = compiled.fields.get(key)
            if item is None or version in python_versions:
                continue
            display = item.handler.display_sql(item, _answer(n))
            if display is None:
                return None
            by_version[version] = shown_cell(_answer(n), display)
        cells.append(_by_version(layout, by_version))
    return cells


def _columns(names: list[str]) -> str:
    return ", ".join(names)


def copy_select(submissions: QuerySet[Submission], layout: ExportLayout) -> str | None:
    """The SELECT whose COPY is the CSV's rows (header aside), or None where the Python writer must do it (or
    ``PERF_EXPORT_COPY`` is off: read on every export)."""
    connection = connections[submissions.db]
    if not settings.PERF_EXPORT_COPY or connection.vendor != "postgresql" or layout.tables:
        return None
    python_versions = {version for version, (_, _, compiled) in layout.versions.items() if _hides_answers(compiled)}
    if python_versions and python_versions == set(layout.versions):
        return None
    fields = _field_cells(layout, python_versions)
    if fields is None:
        return None
    sql, params = submissions.values_list(*_INNER).query.sql_with_params()
    inner = connection.ops.compose_sql(sql, params)  # type: ignore[attr-defined]
    raw = [f"c{n}" for n in range(len(_INNER))]
    # 1. The base cells and each field's answer (its jsonb, type and text), read once.
    status = " ".join(f"WHEN {literal(value)} THEN {_text(label)}" for value, label in STATUS_LABELS.items())
    title = _by_version(layout, {version: _text(title) for version, (title, _, _) in layout.versions.items()})
    number = _by_version(layout, {version: _text(number) for version, (_, number, _) in layout.versions.items()})
    base = [
        f"CASE c1 {status} ELSE c1 END",
        title,
        number,
        f"to_char(c3 AT TIME ZONE 'UTC', {_ISO})",
        f"to_char(c4 AT TIME ZONE 'UTC', {_ISO})",
        "NULLIF(c5, '')",
        f"CASE WHEN c6 IS NULL THEN NULL ELSE NULLIF(COALESCE(NULLIF(btrim(c9 || ' ' || c10, {literal(WHITESPACE)}), "
        "''), c11), '') END",
        "CASE WHEN c6 IS NULL THEN 'Unassigned' WHEN c7 IS NULL THEN 'Assigned, not opened' ELSE 'In review' END",
    ]
    b = [f"b{n}" for n in range(len(base))]
    answers = []
    for n, key in enumerate(layout.fields):
        answer = _answer(n)
        answers += [f"c8 -> {literal(key)} AS {answer.value}", f"jsonb_typeof(c8 -> {literal(key)}) AS {answer.kind}"]
        answers.append(f"c8 ->> {literal(key)} AS {answer.text}")
    read = _columns([*raw, *(f"{cell} AS {name}" for cell, name in zip(base, b, strict=True)), *answers])
    read_sql = f"SELECT {read} FROM ({inner}) AS t({_columns(raw)}) OFFSET 0"
    # 2. Each field's display; 3. without bidi controls, and whether the row is Python's; 4. the formula guard.
    d = [f"d{n}" for n in range(len(fields))]
    shown = _columns([*raw, *b, *(f"{cell} AS {name}" for cell, name in zip(fields, d, strict=True))])
    shown_sql = f"SELECT {shown} FROM ({read_sql}) AS r OFFSET 0"
    marker = literal(PYTHON_CELL)
    flags = [f"{name} = {marker}" for name in d]
    if python_versions:
        flags.append(f"c2 IN ({_columns([str(version) for version in sorted(python_versions)])})")
    python = " OR ".join(flags) or "false"
    m = [f"m{n}" for n in range(len(fields))]
    clean = [f"NULLIF({without_bidi(name)}, '') AS {cell}" for name, cell in zip(d, m, strict=True)]
    flagged_sql = f"SELECT {_columns([*raw, *b, *clean])}, ({python}) AS python FROM ({shown_sql}) AS s OFFSET 0"
    guarded = {"b0", "b5", "b6", *m}  # the texts a row brings (the others: guarded literals, or times)
    columns = [
        f"CASE WHEN python THEN {marker} || json_build_array({_columns(raw)})::text ELSE {formula_guarded('c0')} END",
        *(f"CASE WHEN python THEN NULL ELSE {formula_guarded(n) if n in guarded else n} END" for n in [*b, *m]),
    ]
    return f"SELECT {_columns(columns)} FROM ({flagged_sql}) AS f"


def _python_line(line: bytes, layout: ExportLayout, lines: CsvLines) -> bytes:
    """The row of a submission SQL could not show all of: written from its stored values, as Python does."""
    cell = next(csv.reader([line.decode()]))[0]
    if not cell.startswith(PYTHON_CELL):
        return line[:-1] + b"\r\n"  # a stored value held the marker: SQL's row is right
    values: list[Any] = json.loads(cell.removeprefix(PYTHON_CELL))
    user_id, first, last, username = values[6], *values[9:]
    values[3], values[4] = datetime.fromisoformat(values[3]), datetime.fromisoformat(values[4])
    people = {user_id: f"{first} {last}".strip() or username} if user_id is not None else {}
    main, _ = export_row(tuple(values[:9]), layout, people)
    return lines.line(main).encode()


def _batch(rows: list[Any], layout: ExportLayout, lines: CsvLines) -> bytes:
    """COPY's rows with Python's line ends. Without a quote in them no row has a line break inside a cell (COPY
    quotes those), nor is any Python's (its JSON is quoted): one replace does them all."""
    data = b"".join(rows)
    if b'"' not in data:
        return data.replace(b"\n", b"\r\n")
    out = []
    for row in rows:
        line = bytes(row)
        out.append(_python_line(line, layout, lines) if _PYTHON_ROW in line else line[:-1] + b"\r\n")
    return b"".join(out)


def export_csv_copy(
    submissions: QuerySet[Submission], layout: ExportLayout, select: str, progress: Progress = None
) -> Iterator[bytes]:
    """The CSV: the header, then COPY's rows of ``select``, ``BATCH_ROWS`` at a time."""
    lines = CsvLines()
    yield lines.line(layout.header).encode()
    rows: list[Any] = []
    done = 0
    with (
        connections[submissions.db].cursor() as cursor,
        cursor.cursor.copy(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)") as copy,
    ):
        for row in copy:  # one row per CopyData message
            rows.append(row)
            if len(rows) == BATCH_ROWS:
                done += BATCH_ROWS
                yield _batch(rows, layout, lines)
                rows = []
    yield _batch(rows, layout, lines)
    if progress is not None:  # only now: while COPY runs, the connection takes no other statement
        progress(done + len(rows))

"""Submissions as CSV or XLSX: one row per submission, then one column per field headed by its label, each value
as the admin shows it (``display_data``: option labels, formatted dates, file names); every repeatable section
and every table_fill field is a table of its own (an XLSX sheet, or a CSV file beside the main one in a ZIP),
its rows joined to their submission by its id.

Memory does not grow with the rows: submissions are read ``CHUNK_ROWS`` at a time, CSV lines are yielded as
they are made, a table's CSV rows wait in a spooled temporary file (in memory up to 1 MB, then on disk) until
the main file is done, and XLSX is written by xlsxwriter in ``constant_memory`` mode to a temporary file that
is then streamed. The writers take any file object, so a background job can write the same file to S3.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

import xlsxwriter
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from audit.constants import AuditAction
from audit.services import audit_record
from submissions.constants import ExportFormat, SubmissionStatus
from submissions.formschema.compile import CompiledSchema, compile_schema
from submissions.formschema.display import DisplayTable, display_compiled
from submissions.formschema.schema import Field
from submissions.models import FormVersion, Submission

CHUNK_ROWS = 2000
PROGRESS_ROWS = 5000  # a job reports its progress this often (one UPDATE)
STREAM_CHUNK_BYTES = 64 * 1024
SPOOL_BYTES = 1024 * 1024
BASE_COLUMNS = [
    "Submission ID",
    "Status",
    "Form",
    "Form version",
    "Created",
    "Updated",
    "Submitter",
    "Assignee",
    "Review state",
]
TABLE_BASE_COLUMNS = ["Submission ID", "Row"]
# A cell a spreadsheet would run as a formula (OWASP's CSV injection): shown as text, with a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass
class ExportTable:
    """A repeatable section (key ``<section>_items``) or a table_fill field: its columns, key -> label."""

    key: str
    title: str
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class ExportLayout:
    """The columns of an export: every field of the exported form versions (the newest version's labels win), and
    what each row needs of its form version (title, number, compiled schema), read once per export."""

    fields: dict[str, str] = field(default_factory=dict)
    tables: dict[str, ExportTable] = field(default_factory=dict)
    versions: dict[int, tuple[str, str, CompiledSchema]] = field(default_factory=dict)

    def add(self, schema: dict[str, Any], *, version_id: int = 0, title: str = "", number: int = 0) -> None:
        compiled = compile_schema(schema)
        self.versions[version_id] = (title, str(number), compiled)
        flat = [*compiled.top_fields, *(f for s in compiled.sections if not s.repeatable for f in s.fields)]
        for item in flat:
            if item.type == "table_fill":
                self._table(item.key, item.label, item.columns)
            else:
                self.fields.setdefault(item.key, item.label)
        for section in compiled.sections:
            if section.repeatable:
                self._table(section.items_key, section.title or section.id, section.fields)

    def _table(self, key: str, title: str, columns: list[Field]) -> None:
        table = self.tables.setdefault(key, ExportTable(key=key, title=title))
        for column in columns:
            table.columns.setdefault(column.key, column.label)

    @property
    def header(self) -> list[str]:
        return [*BASE_COLUMNS, *self.fields.values()]


def export_layout(submissions: QuerySet[Submission]) -> ExportLayout:
    """The layout of the form versions ``submissions`` hold (one query for their ids, one for their schemas)."""
    version_ids = submissions.order_by().values("form_version_id").distinct()
    versions = FormVersion.objects.filter(pk__in=version_ids).order_by("-published_at", "-pk")
    layout = ExportLayout()
    for pk, title, number, schema in versions.values_list("pk", "form__title", "version", "schema"):
        layout.add(schema, version_id=pk, title=title, number=number)
    return layout


def review_state(user_id: int | None, read_at: datetime | None) -> str:
    """Where the case is in review, as the queue shows it: nobody on it, assigned but not opened yet (the queue's
    "unread" marker), or opened by its assignee."""
    if user_id is None:
        return "Unassigned"
    return "Assigned, not opened" if read_at is None else "In review"


# What a row reads: no model instances, no joins (forms, versions and assignees are looked up once per export).
ROW_COLUMNS = (
    "public_id",
    "status",
    "form_version_id",
    "created_at",
    "updated_at",
    "submitter_name",
    "user_id",
    "assignee_read_at",
    "data",
)
STATUS_LABELS = {str(value): str(label) for value, label in SubmissionStatus.choices}


class _People(dict[int, str]):
    """Assignees' names by user id, each read on first sight (a workspace has few members; a row has one)."""

    def __missing__(self, user_id: int) -> str:
        user = get_user_model().objects.filter(pk=user_id).first()
        self[user_id] = (user.get_full_name() or user.get_username()) if user is not None else ""
        return self[user_id]


def export_row(
    values: tuple[Any, ...], layout: ExportLayout, people: Mapping[int, str]
) -> tuple[list[str], dict[str, list[list[str]]]]:
    """A submission's main row (``values``: its ``ROW_COLUMNS``), and its rows of each table (without the joining
    columns)."""
    public_id, status, version_id, created_at, updated_at, submitter, user_id, read_at, data = values
    title, number, compiled = layout.versions[version_id]
    texts: dict[str, str] = {}
    tables: dict[str, list[list[str]]] = {}
    for section in display_compiled(compiled, data):
        for entry in section.entries:
            if isinstance(entry, DisplayTable):
                index = {column.key: n for n, column in enumerate(entry.columns)}
                keys = layout.tables[entry.key].columns
                tables[entry.key] = [
                    [
                        cell.text if (cell := row[index[key]] if key in index else None) is not None else ""
                        for key in keys
                    ]
                    for row in entry.rows
                ]
            else:
                texts[entry.key] = entry.text
    main = [
        public_id,
        STATUS_LABELS.get(status, status),
        title,
        number,
        created_at.isoformat(timespec="seconds"),
        updated_at.isoformat(timespec="seconds"),
        submitter or "",
        people[user_id] if user_id is not None else "",
        review_state(user_id, read_at),
    ]
    return [*main, *(texts.get(key, "") for key in layout.fields)], tables


Progress = Callable[[int], None] | None  # called with the rows written so far, every PROGRESS_ROWS and at the end


def _rows(
    submissions: QuerySet[Submission], layout: ExportLayout, progress: Progress = None
) -> Iterator[tuple[str, list[str], dict]]:
    done = 0
    people = _People()
    for values in submissions.values_list(*ROW_COLUMNS).iterator(chunk_size=CHUNK_ROWS):
        main, tables = export_row(values, layout, people)
        yield values[0], main, tables
        done += 1
        if progress is not None and done % PROGRESS_ROWS == 0:
            progress(done)
    if progress is not None:
        progress(done)


def csv_cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) and not _NUMBER.match(value) else value


class CsvLines:
    """``csv.writer`` into a string per row."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def line(self, row: Iterable[str]) -> str:
        self._writer.writerow([csv_cell(value) for value in row])
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text


def export_csv_lines(
    submissions: QuerySet[Submission], layout: ExportLayout, progress: Progress = None
) -> Iterator[str]:
    """The main table as CSV lines (for an export with no tables)."""
    lines = CsvLines()
    yield lines.line(layout.header)
    for _, main, _ in _rows(submissions, layout, progress):
        yield lines.line(main)


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes the ZIP generator hands on as they come."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def _member_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-")[:60] or "table"
    name, n = f"{base}.csv", 1
    while name in used:
        n += 1
        name = f"{base}-{n}.csv"
    used.add(name)
    return name


def export_csv_zip(
    submissions: QuerySet[Submission], layout: ExportLayout, progress: Progress = None
) -> Iterator[bytes]:
    """``submissions.csv`` and one CSV per table, as ZIP bytes while they are made."""
    sink = _Sink()
    lines = CsvLines()
    with ExitStack() as files:
        spools = {
            key: files.enter_context(tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", newline=""))
            for key in layout.tables
        }
        for key, table in layout.tables.items():
            spools[key].write(lines.line([*TABLE_BASE_COLUMNS, *table.columns.values()]))
        yield from _zip(sink, lines, spools, _rows(submissions, layout, progress), layout)


def _zip(
    sink: _Sink,
    lines: CsvLines,
    spools: Mapping[str, IO[str]],
    submission_rows: Iterator[tuple[str, list[str], dict]],
    layout: ExportLayout,
) -> Iterator[bytes]:
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        used = {"submissions.csv"}
        with archive.open("submissions.csv", mode="w", force_zip64=True) as member:
            member.write(lines.line(layout.header).encode())
            for public_id, main, tables in submission_rows:
                member.write(lines.line(main).encode())
                for key, rows in tables.items():
                    for number, row in enumerate(rows, start=1):
                        spools[key].write(lines.line([public_id, str(number), *row]))
                if sum(map(len, sink.chunks)) >= STREAM_CHUNK_BYTES:
                    yield sink.drain()
        for key, table in layout.tables.items():
            spool = spools[key]
            spool.seek(0)
            with archive.open(_member_name(table.title, used), mode="w", force_zip64=True) as member:
                while text := spool.read(STREAM_CHUNK_BYTES):
                    member.write(text.encode())
                    yield sink.drain()
    yield sink.drain()


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_NAME_BAD.sub(" ", title).strip("'").strip()[:28] or "Table"
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base[:25]} ({n})"
    used.add(name.lower())
    return name


def export_xlsx(
    submissions: QuerySet[Submission], layout: ExportLayout, target: IO[bytes], progress: Progress = None
) -> None:
    """The workbook into ``target``: a "Submissions" sheet and a sheet per table. Every cell is text, so a
    value is never run as a formula."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    bold = workbook.add_format({"bold": True})
    used = {"submissions"}
    main_sheet = workbook.add_worksheet("Submissions")
    sheets = {key: workbook.add_worksheet(_sheet_name(table.title, used)) for key, table in layout.tables.items()}
    next_row = dict.fromkeys(layout.tables, 1)
    main_sheet.write_row(0, 0, layout.header, bold)
    for key, table in layout.tables.items():
        sheets[key].write_row(0, 0, [*TABLE_BASE_COLUMNS, *table.columns.values()], bold)
    for number, (public_id, main, tables) in enumerate(_rows(submissions, layout, progress), start=1):
        for column, value in enumerate(main):
            main_sheet.write_string(number, column, value)
        for key, rows in tables.items():
            for row_number, row in enumerate(rows, start=1):
                sheet, at = sheets[key], next_row[key]
                for column, value in enumerate([public_id, str(row_number), *row]):
                    sheet.write_string(at, column, value)
                next_row[key] = at + 1
    workbook.close()


def export_xlsx_stream(submissions: QuerySet[Submission], layout: ExportLayout) -> Iterator[bytes]:
    """The workbook written to a temporary file, then streamed from it."""
    with tempfile.TemporaryFile() as target:
        export_xlsx(submissions, layout, target)
        target.seek(0)
        while chunk := target.read(STREAM_CHUNK_BYTES):
            yield chunk


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Export:
    """A file being made: its bytes (or text lines) as they come, its type and its name."""

    content: Iterator[bytes] | Iterator[str]
    content_type: str
    filename: str

    def response(self) -> StreamingHttpResponse:
        response = StreamingHttpResponse(self.content, content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


def submission_export(
    *,
    submissions: QuerySet[Submission],
    export_format: ExportFormat,
    workspace_ids: Iterable[int],
    acting_user: AbstractBaseUser | AnonymousUser | None,
    via: str,
    filters: dict[str, str],
) -> Export:
    """Export ``submissions`` (the caller's visible ones, from ``selectors.submission_export_rows``); the export is
    recorded first in the audit log of each workspace in ``workspace_ids``. The rows are read while the content is
    consumed (by the response as it streams).
    """
    layout = export_layout(submissions)
    for workspace_id in workspace_ids:
        audit_record(
            action=AuditAction.SUBMISSIONS_EXPORTED,
            workspace_id=workspace_id,
            acting_user=acting_user,
            target_type="submissions",
            details={"format": str(export_format), "via": via, "filters": filters, "tables": list(layout.tables)},
        )
    content_type, filename = export_kind(export_format, layout)
    if export_format == ExportFormat.XLSX:
        return Export(export_xlsx_stream(submissions, layout), content_type, filename)
    if layout.tables:
        return Export(export_csv_zip(submissions, layout), content_type, filename)
    return Export(export_csv(submissions, layout), content_type, filename)


def export_csv(submissions: QuerySet[Submission], layout: ExportLayout, progress: Progress = None) -> Iterator[bytes]:
    """The main table as CSV bytes (for an export with no tables): PostgreSQL's COPY where it can show every cell
    (``export_copy``), else the Python writer."""
    from submissions.export_copy import copy_select, export_csv_copy  # it builds on this module

    select = copy_select(submissions, layout)
    if select is not None:
        return export_csv_copy(submissions, layout, select, progress)
    return (line.encode() for line in export_csv_lines(submissions, layout, progress))


def export_kind(export_format: ExportFormat, layout: ExportLayout) -> tuple[str, str]:
    """The content type and file name of an export: a workbook, a CSV ZIP (with tables) or one CSV."""
    if export_format == ExportFormat.XLSX:
        return XLSX_CONTENT_TYPE, "submissions.xlsx"
    return ("application/zip", "submissions.zip") if layout.tables else ("text/csv", "submissions.csv")


def export_write(
    *,
    submissions: QuerySet[Submission],
    layout: ExportLayout,
    export_format: ExportFormat,
    target: IO[bytes],
    progress: Progress = None,
) -> None:
    """The export's file into ``target`` (a job's temporary file), as ``export_kind`` names it."""
    if export_format == ExportFormat.XLSX:
        export_xlsx(submissions, layout, target, progress)
    elif layout.tables:
        for chunk in export_csv_zip(submissions, layout, progress):
            target.write(chunk)
    else:
        for chunk in export_csv(submissions, layout, progress):
            target.write(chunk)

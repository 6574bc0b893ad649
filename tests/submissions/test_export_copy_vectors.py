"""The CSV export's two writers agree byte for byte: PostgreSQL's (each field type's ``display_sql``, streamed
by COPY) and Python's (``display_value`` per answer), on the same hostile vectors for every field type, base
column and formula guard. The reference is the same API call with the COPY path switched off (``PERF_EXPORT_COPY``,
read on every export)."""

from __future__ import annotations

import csv
import io
from itertools import cycle
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from submissions import export_copy
from submissions.constants import SubmissionStatus
from submissions.formschema.displaysql import PYTHON_CELL
from submissions.models import Submission
from workspaces.constants import Role

pytestmark = pytest.mark.postgres

EXPORT = reverse("submission-export")
MISSING = object()  # the key is not in the data at all

TEXTS: list[Any] = [
    "plain",
    'a "quote", a comma',
    "line\nbreak",
    "cr\rreturn\r\n",
    "=1+2",
    "+49 30 1234",
    "-5",
    "-5\n",
    "+1,5",
    "@SUM(A1)",
    "-\u0663\u0664",  # Arabic-Indic digits: a number to Python's \d
    "-\u0663x",
    "\tTab",
    "\rCR first",
    " leading space",
    "   ",
    "\u00a0\u2003",  # blank to str.strip(): no answer
    "\u202eevil\u202c",
    "=\u2066x",
    "\u2066=\u2069",  # the bidi controls go first, then the guard sees "="
    "Ünïcödé 🚀 中文",
    '""',
    "'already quoted'",
    ",",
    "\\.",
    "-",
    "=",
    "",
    PYTHON_CELL,
    f"x{PYTHON_CELL}",
    MISSING,
]
WRONG_TYPES: list[Any] = [
    None,
    0,
    7,
    -3,
    1.5,
    0.1 + 0.2,
    1e-7,
    0.0001,
    0.00001,
    2.5e-3,
    100.0,
    -0.0,
    1e20,
    1.5e15,
    123456789.123456,
    12345678901234567890,
    True,
    False,
    [],
    ["a", "b"],
    [1, None],
    {},
    {"a": 1, "b": [2]},
]
OPTIONS = [
    {"value": "a", "label": 'Alpha, "one"'},
    {"value": "=b", "label": "=SUM(1)"},
    {"value": "c", "label": "Ça\nva \u202eok"},
    {"value": "7", "label": "Seven"},
    {"value": "True", "label": "Truthy"},
]
CHOICE_VALUES: list[Any] = ["a", "=b", "c", "7", "unknown", "-1", 7, True, *TEXTS[:6], *WRONG_TYPES]
MANY_VALUES: list[Any] = [
    ["a", "c"],
    ["c", "a", "=b"],
    [],
    ["unknown", "-x"],
    ["-x"],
    ["=b"],
    "ac",
    {"a": 1, "c": 2},
    [],
    None,
    MISSING,
]
COUNTRIES: list[Any] = ["US", "us", "gB", "DE", "XX", "USA", "u", "\u212aE", "=1", "", "  ", 5, True, None, [1]]
YES_NO: list[Any] = [True, False, 0, 1, 0.0, 2.5, "no", "", " \t", [], [0], {}, {"a": 1}, None, MISSING]
# Numbers as PostgreSQL may hold them (written by SQL, not by Python's json): more digits than a float has.
NUMBER_TEXTS = ["1.50", "1E+2", "-0.0", "0.12345678901234567", "9.999999999999999", "1.0000000000000001", "1e400"]
FILES: list[Any] = [["a.pdf"], [], "one.pdf", ["a", "b", "c"], 5, {"a": 1}, None]

TYPES = ["text", "textarea", "email", "tel", "url", "date", "time", "datetime", "number", "currency", "rating"]
VALUES: dict[str, list[Any]] = {
    **{name: [*TEXTS, *WRONG_TYPES] for name in TYPES},
    "select": CHOICE_VALUES,
    "radio": CHOICE_VALUES,
    "checkbox": MANY_VALUES,
    "multiselect": MANY_VALUES,
    "country": COUNTRIES,
    "yesno": YES_NO,
    "file": FILES,
    "signature": FILES,
}


def _field(name: str, label: str) -> dict[str, Any]:
    field: dict[str, Any] = {"key": f"f_{name}", "label": f"{label} {name}", "type": name}
    if name in ("select", "radio", "checkbox", "multiselect"):
        field["options"] = OPTIONS
    return field


@pytest.fixture(autouse=True)
def _needs_postgres(db: None) -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://... (this test must not skip)"


def _export(client: Any) -> bytes:
    response = client.get(EXPORT, {"format": "csv", "sortOrder": "asc", "includeDrafts": "true"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    return b"".join(response.streaming_content)


def test_copy_and_python_write_the_same_bytes(
    api_client: Any,
    workspace: Any,
    publish_form: Any,
    make_submission: Any,
    member_of: Any,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    first = publish_form(workspace, schema={"fields": [_field(name, "Field") for name in VALUES]}, title="Intake")
    # A second form: other labels for the same keys (the CASE on the version), one field fewer, a hostile title.
    other_options = [{**option, "label": f"Other {option['label']}"} for option in OPTIONS]
    second_fields = [{**_field(name, "=Other"), "options": other_options} for name in ("select", "checkbox")]
    second = publish_form(workspace, schema={"fields": [*second_fields, _field("text", "X")]}, title='=B, "x"')
    people = [
        None,
        member_of(workspace, Role.MEMBER, first_name="Rita", last_name="Reviewer"),
        member_of(workspace, Role.MEMBER, first_name=" ", last_name="", username="=bob"),
        member_of(workspace, Role.MEMBER, first_name="\u2003Ann", last_name="", username="ann"),
    ]
    eve = member_of(workspace, Role.MEMBER, username='-eve,"x"')
    # One row per field and value (a row with a value SQL leaves to Python is Python's whole), then mixed rows.
    answers = [{f"f_{name}": value} for name, values in VALUES.items() for value in values]
    longest = max(map(len, VALUES.values()))
    answers += [{f"f_{name}": values[n % len(values)] for name, values in VALUES.items()} for n in range(longest)]
    statuses = cycle(SubmissionStatus.values)
    made = [make_submission(first, data={}, acting_user=eve), make_submission(second, data={})]
    Submission.objects.bulk_create(
        Submission(workspace=workspace, form=first.form, form_version=first) for _ in answers[len(made) :]
    )
    for n, (submission, data) in enumerate(zip(Submission.objects.order_by("id"), answers, strict=True)):
        version = second if n % 5 == 4 else first
        assignee = people[n % len(people)]
        Submission.objects.filter(pk=submission.pk).update(
            form=version.form,
            form_version=version,
            data={key: value for key, value in data.items() if value is not MISSING},
            status=next(statuses),
            user=assignee,
            assignee_read_at=submission.created_at if assignee is not None and n % 2 else None,
        )
    with connection.cursor() as cursor:
        numbers = [(key, number) for key in ("f_number", "f_text") for number in NUMBER_TEXTS]
        for (key, number), submission in zip(numbers, Submission.objects.order_by("id"), strict=False):
            text = f'{{"{key}": {number}}}'
            cursor.execute(
                f"UPDATE {Submission._meta.db_table} SET data = %s::jsonb WHERE id = %s", [text, submission.pk]
            )
    rows = len(answers)

    copies: list[Any] = []
    python_rows: list[Any] = []
    monkeypatch.setattr(export_copy, "export_csv_copy", _spy(export_copy.export_csv_copy, copies))
    monkeypatch.setattr(export_copy, "BATCH_ROWS", 3)  # batches with no quote in them, and batches with some
    monkeypatch.setattr(export_copy, "_python_line", _spy(export_copy._python_line, python_rows))
    by_copy = _export(api_client)
    assert len(copies) == 1, "the COPY path ran"
    assert 0 < len(python_rows) < rows / 3, "some rows needed Python, most did not"

    settings.PERF_EXPORT_COPY = False
    by_python = _export(api_client)
    assert len(copies) == 1, "off, the Python writer wrote it"

    assert len(list(csv.reader(io.StringIO(by_copy.decode(), newline="")))) == rows + 1
    assert by_copy.decode().splitlines() == by_python.decode().splitlines()  # a readable diff first
    assert by_copy == by_python


def _spy(function: Any, calls: list[Any]) -> Any:
    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return function(*args, **kwargs)

    return spy


CONDITIONAL = {
    "fields": [
        {"key": "kind", "label": "Kind", "type": "select", "options": [{"value": "p"}, {"value": "c"}]},
        {
            "key": "company",
            "label": "Company",
            "type": "text",
            "condition": {"field": "kind", "operator": "equals", "value": "c"},
        },
    ]
}


def _stale(make_submission: Any, version: Any) -> Submission:
    """A submission whose stored data still holds the answer of a field its conditions now hide."""
    submission = make_submission(version, data={"kind": "c", "company": "Acme"})
    Submission.objects.filter(pk=submission.pk).update(data={"kind": "p", "company": "stale"})
    return submission


def test_an_export_whose_every_version_has_conditions_keeps_the_python_writer(
    api_client: Any, workspace: Any, publish_form: Any, make_submission: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stale(make_submission, publish_form(workspace, schema=CONDITIONAL))
    copies: list[Any] = []
    monkeypatch.setattr(export_copy, "export_csv_copy", _spy(export_copy.export_csv_copy, copies))

    lines = _export(api_client).decode().splitlines()

    assert not copies and len(lines) == 2
    assert lines[1].endswith(",p,") and "stale" not in lines[1]


def test_rows_of_a_version_with_conditions_are_written_by_python_within_the_copy(
    api_client: Any,
    workspace: Any,
    publish_form: Any,
    make_submission: Any,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    stale = _stale(make_submission, publish_form(workspace, schema=CONDITIONAL, title="Conditional"))
    plain = publish_form(workspace, schema={"fields": [{"key": "company", "label": "Company", "type": "text"}]})
    make_submission(plain, data={"company": "Plain Ltd"})
    copies: list[Any] = []
    python_rows: list[Any] = []
    monkeypatch.setattr(export_copy, "export_csv_copy", _spy(export_copy.export_csv_copy, copies))
    monkeypatch.setattr(export_copy, "_python_line", _spy(export_copy._python_line, python_rows))
    by_copy = _export(api_client)
    settings.PERF_EXPORT_COPY = False

    assert by_copy == _export(api_client) and len(copies) == 1 and len(python_rows) == 1
    shown = {line.split(",")[0]: line for line in by_copy.decode().splitlines()[1:]}
    assert "stale" not in shown[stale.public_id] and "Plain Ltd" in by_copy.decode()


def test_an_export_of_no_rows_is_its_header(
    api_client: Any, workspace: Any, publish_form: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_form(workspace, schema={"fields": [_field("text", "Field")]})
    copies: list[Any] = []
    monkeypatch.setattr(export_copy, "export_csv_copy", _spy(export_copy.export_csv_copy, copies))

    assert (
        _export(api_client)
        == b"Submission ID,Status,Form,Form version,Created,Updated,Submitter,Assignee,Review state\r\n"
    )
    assert len(copies) == 1


def test_the_list_filters_and_order_apply_to_the_copy_as_to_python(
    api_client: Any,
    workspace: Any,
    publish_form: Any,
    make_submission: Any,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    kept = publish_form(workspace, schema={"fields": [_field("text", "Field")]}, title="Kept")
    other = publish_form(workspace, schema={"fields": [_field("text", "Field")]}, title="Other")
    for n in range(6):
        make_submission(kept if n % 2 else other, data={"f_text": f"client {n} 100%"})
    query = {"format": "csv", "formId": kept.form.public_id, "search": "client", "sortBy": "status"}

    def export() -> bytes:
        response = api_client.get(EXPORT, query)
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    copies: list[Any] = []
    monkeypatch.setattr(export_copy, "export_csv_copy", _spy(export_copy.export_csv_copy, copies))
    by_copy = export()
    settings.PERF_EXPORT_COPY = False

    assert by_copy == export() and len(copies) == 1
    assert [line.split(b",")[2] for line in by_copy.splitlines()[1:]] == [b"Kept"] * 3

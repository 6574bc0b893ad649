"""Stored data as a reviewer reads it: sections, repeat rows and table_fill as tables, labels not values.

``display_data`` returns a tree of dataclasses that a template walks (``dataclasses.asdict`` makes it JSON):
a ``DisplaySection`` per section (the fields outside any section come first, in one untitled section), each
holding ``DisplayValue`` answers and ``DisplayTable`` grids. Hidden (conditional) fields are left out, even
if the stored data still held a value for them; so are unanswered fields and sections with no answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from config.inputs import strip_bidi_controls
from submissions.formschema.compile import CompiledSchema, compile_schema
from submissions.formschema.fieldtypes import FILE_TYPES
from submissions.formschema.schema import Field, Section
from submissions.formschema.walk import evaluate_visibility


@dataclass
class DisplayValue:
    """One answer: ``text`` as shown; ``files`` the stored file references (Document uuids, link ids, names);
    ``documents`` what a page resolved them to (``display_attach_files``), one per reference."""

    key: str
    label: str
    type: str
    text: str
    value: Any
    files: list[str] = field(default_factory=list)
    kind: str = "value"
    documents: list[Any] = field(default_factory=list)


@dataclass
class DisplayColumn:
    key: str
    label: str


@dataclass
class DisplayTable:
    """A grid: a table_fill answer, or the rows of a repeatable section; a cell is None where nothing is shown."""

    key: str
    label: str
    columns: list[DisplayColumn]
    rows: list[list[DisplayValue | None]]
    kind: str = "table"


@dataclass
class DisplaySection:
    id: str
    title: str
    description: str
    repeatable: bool
    entries: list[DisplayValue | DisplayTable]


def display_value(item: Field, value: Any, language: str | None = None) -> DisplayValue:
    files = [str(entry) for entry in (value if isinstance(value, list) else [value])] if item.type in FILE_TYPES else []
    return DisplayValue(
        key=item.key,
        label=item.text("label", language),
        type=item.type,
        text=strip_bidi_controls(item.handler.display(item, value, language)),  # stored before the sanitiser
        value=value,
        files=files,
    )


def _grid(key: str, label: str, columns: list[Field], rows: list[dict[str, Any]], language: str | None) -> DisplayTable:
    return DisplayTable(
        key=key,
        label=label,
        columns=[DisplayColumn(key=column.key, label=column.text("label", language)) for column in columns],
        rows=[
            [
                display_value(column, row[column.key], language) if row.get(column.key) is not None else None
                for column in columns
            ]
            for row in rows
        ],
    )


def _entries(fields: list[Field], data: dict[str, Any], language: str | None) -> list[DisplayValue | DisplayTable]:
    entries: list[DisplayValue | DisplayTable] = []
    for item in fields:
        value = data.get(item.key)
        if value is None:
            continue
        if item.type == "table_fill":
            entries.append(_grid(item.key, item.text("label", language), item.columns, value, language))
        else:
            entries.append(display_value(item, value, language))
    return entries


def _section(section: Section, data: dict[str, Any], language: str | None) -> DisplaySection:
    title = section.text("title", language)
    if section.repeatable:
        rows = data.get(section.items_key) or []
        entries: list[DisplayValue | DisplayTable] = (
            [_grid(section.items_key, title, section.fields, rows, language)] if rows else []
        )
    else:
        entries = _entries(section.fields, data, language)
    return DisplaySection(
        id=section.id,
        title=title,
        description=section.text("description", language),
        repeatable=section.repeatable,
        entries=entries,
    )


def display_data(schema: dict[str, Any], data: dict[str, Any], language: str | None = None) -> list[DisplaySection]:
    """The visible answers of ``data`` with the labels of ``schema`` (its own form version), in schema order.

    ``language``: labels, option labels, country names and yes/no in that language where the schema (and the
    catalogue) has them; None, the default: the schema's own texts and English (exports, comparisons).
    """
    return display_compiled(compile_schema(schema), data, language)


def display_compiled(
    compiled: CompiledSchema, data: dict[str, Any], language: str | None = None
) -> list[DisplaySection]:
    """``display_data`` of an already compiled schema (an export shows many rows of one form version)."""
    shown = evaluate_visibility(compiled, data)
    sections = [DisplaySection(id="", title="", description="", repeatable=False, entries=[])]
    sections[0].entries = _entries(compiled.top_fields, shown.data, language)
    sections += [
        _section(section, shown.data, language) for section in compiled.sections if section.id in shown.sections
    ]
    return [section for section in sections if section.entries]


def display_values(sections: list[DisplaySection]) -> Iterator[DisplayValue]:
    """Every answer of the tree, the cells of grids included."""
    for section in sections:
        for entry in section.entries:
            if isinstance(entry, DisplayTable):
                yield from (cell for row in entry.rows for cell in row if cell is not None)
            else:
                yield entry


def display_attach_files(sections: list[DisplaySection], resolve: Callable[[str], Any]) -> list[DisplaySection]:
    """Fill each file answer's ``documents`` with ``resolve(reference)`` (a page's view of the file)."""
    for value in display_values(sections):
        value.documents = [resolve(reference) for reference in value.files]
    return sections

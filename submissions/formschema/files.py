"""Which values of some data are files: the one answer every caller (API, public actions, display) uses."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from submissions.formschema.compile import compile_schema
from submissions.formschema.fieldtypes import FILE_TYPES
from submissions.formschema.schema import CompiledSchema


def _file_slots(compiled: CompiledSchema, data: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(path, field key, the object holding it)`` of every file field answered in ``data``, in schema order."""
    for key, item in compiled.fields.items():
        if item.type not in FILE_TYPES:
            continue
        if item.section is not None and item.section.repeatable:
            rows = data.get(item.section.items_key) or []
            slots = [(f"{item.section.items_key}[{i}].{key}", row) for i, row in enumerate(rows)]
        else:
            slots = [(key, data)]
        for path, holder in slots:
            if isinstance(holder, dict) and holder.get(key) is not None:
                yield path, key, holder


def file_field_keys(schema: dict[str, Any]) -> list[str]:
    """The keys of every file and signature field, in schema order (fields of repeatable sections included)."""
    compiled = compile_schema(schema)
    return [key for key, item in compiled.fields.items() if item.type in FILE_TYPES]


def iter_file_values(schema: dict[str, Any], data: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """``(path, field_key, value)`` of every file/signature value in cleaned ``data`` (one per file).

    ``path`` is the field key at the top level and ``{sectionId}_items[i].{key}`` inside a repeat row.
    """
    for path, key, holder in _file_slots(compile_schema(schema), data):
        value = holder[key]
        for entry in value if isinstance(value, list) else [value]:
            if entry is not None:
                yield path, key, entry


def replace_file_values(schema: dict[str, Any], data: dict[str, Any], values: Mapping[str, list[str]]) -> None:
    """Put ``values[path]`` in place of the files at each path of ``data`` (a list stays a list)."""
    for path, key, holder in list(_file_slots(compile_schema(schema), data)):
        if path in values:
            holder[key] = values[path] if isinstance(holder[key], list) else values[path][0]


def document_uuids(schema: dict[str, Any], data: dict[str, Any]) -> set[str]:
    """The document ids the file fields of ``data`` hold (a file name, which public actions keep, is none)."""
    named: set[str] = set()
    for _, _, value in iter_file_values(schema, data):
        try:
            named.add(str(uuid.UUID(str(value))))
        except ValueError:  # a file name: its document is the subject record's
            continue
    return named

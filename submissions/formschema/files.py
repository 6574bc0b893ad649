"""Which values of some data are files: the one answer every caller (API, public actions, display) uses."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from submissions.formschema.compile import compile_schema
from submissions.formschema.fieldtypes import FILE_TYPES
from submissions.formschema.schema import CompiledSchema, Field

_ROW_PATH = re.compile(r"(?P<items>\w+)\[(?P<row>\d{1,4})\]\.(?P<key>\w+)")


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


def file_field_at(schema: dict[str, Any], path: str) -> Field | None:
    """The file or signature field a data path names (``key``, or ``{sectionId}_items[i].key`` in a repeat row
    within the section's maximum), or None."""
    compiled = compile_schema(schema)
    match = _ROW_PATH.fullmatch(path)
    item = compiled.fields.get(match.group("key") if match else path)
    if item is None or item.type not in FILE_TYPES:
        return None
    section = item.section if item.section is not None and item.section.repeatable else None
    if section is None:
        return None if match else item
    if match is None or match.group("items") != section.items_key:
        return None
    limit = section.max_items if section.max_items is not None else 500
    return item if int(match.group("row")) < limit else None


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

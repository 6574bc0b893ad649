"""Parsing one field (or table column) of a schema: its type's handler, options, constraints, condition."""

from __future__ import annotations

from typing import Any

from submissions.formschema.conditions import parse_condition
from submissions.formschema.fieldtypes import COLUMN_TYPES, FIELD_TYPES
from submissions.formschema.fieldtypes.base import FieldType, parse_constraints
from submissions.formschema.schema import KEY_PATTERN, Field, SchemaErrors

DISPLAY_TEXTS = ("placeholder", "helpText", "description")
_FIELD_ATTRIBUTES = frozenset(
    {"key", "label", "type", "required", "options", "constraints", "condition", "columns", *DISPLAY_TEXTS}
)
_COLUMN_ATTRIBUTES = frozenset(
    {"key", "label", "type", "required", "options", "constraints", "sourceField", "placeholder", "helpText"}
)


def parse_field(raw: Any, where: str, errors: SchemaErrors, *, column: bool = False) -> Field | None:
    """The parsed field, or None when it cannot be parsed at all; every problem is added to ``errors``."""
    identity = _parse_identity(raw, where, errors, column=column)
    if identity is None:
        return None
    key, handler = identity
    where = f"{where} '{key}'"
    unknown = set(raw) - (_COLUMN_ATTRIBUTES if column else _FIELD_ATTRIBUTES)
    if unknown:
        errors.add(f"{where}: unknown attribute(s) {sorted(unknown)}.")
    parsed = Field(
        key=key,
        type=handler.name,
        label=_string(raw, "label", key, where, errors),
        handler=handler,
        required=_required(raw, where, errors),
        texts={name: raw[name] for name in DISPLAY_TEXTS if isinstance(raw.get(name), str) and raw[name]},
    )
    _parse_options(parsed, raw.get("options"), where, errors)
    parsed.constraints = parse_constraints(handler, raw.get("constraints"), where, errors)
    if "condition" in raw:
        parsed.condition = parse_condition(raw["condition"], where, errors)
    if column:
        source = raw.get("sourceField")
        if source is not None and not (isinstance(source, str) and source):
            errors.add(f"{where}: 'sourceField' must be a field key.")
        parsed.source_field = source or None
    _parse_columns(parsed, raw, where, errors)
    return parsed


def _parse_identity(raw: Any, where: str, errors: SchemaErrors, *, column: bool) -> tuple[str, FieldType] | None:
    if not isinstance(raw, dict):
        errors.add(f"{where}: a field must be an object.")
        return None
    key, ftype = raw.get("key"), raw.get("type")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        errors.add(f"{where}: 'key' must match {KEY_PATTERN.pattern} (got {key!r}).")
        return None
    allowed = COLUMN_TYPES if column else FIELD_TYPES
    handler = allowed.get(ftype) if isinstance(ftype, str) else None
    if handler is None:
        kind = "column" if column else "field"
        errors.add(f"{where} '{key}': unknown {kind} type {ftype!r}; use one of {sorted(allowed)}.")
        return None
    return key, handler


def _string(raw: dict[str, Any], name: str, default: str, where: str, errors: SchemaErrors) -> str:
    value = raw.get(name, default)
    if isinstance(value, str):
        return value
    errors.add(f"{where}: '{name}' must be a string.")
    return default


def _required(raw: dict[str, Any], where: str, errors: SchemaErrors) -> bool:
    required = raw.get("required", False)
    if isinstance(required, bool):
        return required
    errors.add(f"{where}: 'required' must be true or false.")
    return False


def _parse_options(parsed: Field, raw_options: Any, where: str, errors: SchemaErrors) -> None:
    if not parsed.handler.takes_options:
        if raw_options is not None:
            errors.add(f"{where}: type '{parsed.type}' takes no 'options'.")
        return
    if not isinstance(raw_options, list) or not raw_options:
        errors.add(f"{where}: type '{parsed.type}' needs a non-empty 'options' list.")
        return
    options: list[str] = []
    for option in raw_options:
        if not _is_option(option):
            errors.add(f"{where}: each option must be an object with a string 'value' and 'label'.")
            break
        if option["value"] in options:
            errors.add(f"{where}: duplicate option value {option['value']!r}.")
        options.append(option["value"])
        parsed.option_labels[option["value"]] = option.get("label") or option["value"]
    parsed.options = tuple(options)


def _is_option(option: Any) -> bool:
    return (
        isinstance(option, dict)
        and isinstance(option.get("value"), str)
        and bool(option["value"])
        and isinstance(option.get("label", ""), str)
    )


def _parse_columns(parsed: Field, raw: dict[str, Any], where: str, errors: SchemaErrors) -> None:
    if parsed.type != "table_fill":
        if "columns" in raw:
            errors.add(f"{where}: only 'table_fill' fields take 'columns'.")
        return
    raw_columns = raw.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        errors.add(f"{where}: type 'table_fill' needs a non-empty 'columns' list.")
        return
    seen: set[str] = set()
    for raw_column in raw_columns:
        column = parse_field(raw_column, f"{where} column", errors, column=True)
        if column is None:
            continue
        if column.key in seen:
            errors.add(f"{where}: duplicate column key '{column.key}'.")
        seen.add(column.key)
        parsed.columns.append(column)

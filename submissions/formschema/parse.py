"""Parsing one field (or table column) of a schema: its type's handler, options, constraints, condition."""

from __future__ import annotations

from typing import Any

from config.inputs import strip_bidi_controls
from submissions.formschema.conditions import parse_condition
from submissions.formschema.fieldtypes import COLUMN_TYPES, FIELD_TYPES
from submissions.formschema.fieldtypes.base import FieldType, parse_constraints
from submissions.formschema.schema import KEY_PATTERN, LANGUAGE_PATTERN, Field, SchemaErrors, Translations

DISPLAY_TEXTS = ("placeholder", "helpText", "description")
_FIELD_ATTRIBUTES = frozenset(
    {"key", "label", "type", "required", "options", "constraints", "condition", "columns", "translations"}
    | set(DISPLAY_TEXTS)
)
_COLUMN_TEXTS = ("label", "placeholder", "helpText")
_COLUMN_ATTRIBUTES = frozenset(
    {"key", "type", "required", "options", "constraints", "sourceField", "translations"}
) | set(_COLUMN_TEXTS)
_FIELD_TEXTS = ("label", *DISPLAY_TEXTS)


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
        texts={name: shown_text(raw[name]) for name in DISPLAY_TEXTS if isinstance(raw.get(name), str) and raw[name]},
        translations=parse_translations(
            raw.get("translations"), _COLUMN_TEXTS if column else _FIELD_TEXTS, where, errors
        ),
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


def shown_text(text: str) -> str:
    """A text of the schema as pages show it: without the controls that reorder how text is displayed (a label
    holding U+202E would show what follows it backwards)."""
    return strip_bidi_controls(text)


def parse_translations(raw: Any, names: tuple[str, ...], where: str, errors: SchemaErrors) -> Translations:
    """``{"de": {"label": "Vorname"}}``: an object's texts (of ``names``) in other languages."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.add(f'{where}: \'translations\' must be an object of languages, like {{"de": {{"label": ...}}}}.')
        return {}
    translations: Translations = {}
    for language, texts in raw.items():
        if not isinstance(language, str) or not LANGUAGE_PATTERN.match(language):
            errors.add(f"{where}: translations: {language!r} is not a language code like 'de' or 'pt-br'.")
            continue
        if not isinstance(texts, dict) or not all(isinstance(text, str) for text in texts.values()):
            errors.add(f"{where}: translations '{language}' must be an object of texts.")
            continue
        unknown = set(texts) - set(names)
        if unknown:
            errors.add(
                f"{where}: translations '{language}': {sorted(unknown)} cannot be translated; use {list(names)}."
            )
        translations[language] = {name: shown_text(text) for name, text in texts.items() if name in names and text}
    return translations


def _string(raw: dict[str, Any], name: str, default: str, where: str, errors: SchemaErrors) -> str:
    value = raw.get(name, default)
    if isinstance(value, str):
        return shown_text(value)
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
        parsed.option_labels[option["value"]] = shown_text(option.get("label") or option["value"])
        translations = parse_translations(option.get("translations"), ("label",), f"{where} option", errors)
        if translations:
            parsed.option_translations[option["value"]] = translations
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

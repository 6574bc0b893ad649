"""Form schemas and the validation of the data submitted against them.

This module is the one place that knows what a form schema looks like and what a value of each field
type may be. It is used by the submissions API and by the public action flow (``workflows``).

Public interface
----------------
``validate_form_schema(schema)``
    Raise ``config.errors.ValidationFailed`` (``details={"schema": [messages]}``) when the schema is not
    well formed: unknown type, duplicate key, option list missing, condition on a missing field,
    circular condition, bad constraint, ...
``clean_form_data(schema=, data=, workspace=, require_required=, file_values="documents")``
    Type-check ``data`` against the schema, evaluate conditional logic server-side and strip the values of
    hidden fields (also inside repeatable sections and tables), sanitise every string with nh3 (no markup
    survives), reject unknown keys and, when ``require_required``, missing required values. Return the
    cleaned data, ready to persist; raise ``ValidationFailed`` with ``details={"fields": {path: [messages]}}``.
    ``file_values="documents"``: file/signature values are ``documents.Document`` uuids of ``workspace`` whose
    upload was accepted. ``file_values="file_names"``: they are file names, checked against the file-type
    registry (``documents.filetypes``) and the field's ``accept`` list; the caller issues the uploads.
``file_field_keys(schema)``
    The keys of every file and signature field (top level and inside repeatable sections).
``iter_file_values(schema, data)``
    ``(path, field_key, value)`` for every file/signature value of cleaned data, nested ones included.
``sanitize_text(value)`` / ``sanitize_value(value)``
    The string sanitiser, for strings that do not belong to a form (metadata, notes).

Schema format
-------------
::

    {
      "fields":   [<field>, ...],      # top-level fields, in display order
      "sections": [<section>, ...]     # optional
    }

    <field> = {
      "key": "full_name",              # [A-Za-z][A-Za-z0-9_]{0,63}, unique in the whole form; data is keyed by it
      "label": "Full name",
      "type": "text",                  # one of FIELD_TYPES below
      "required": false,               # optional, default false
      "options": [{"value": "pep", "label": "Politically exposed"}, ...],
                                       # select, radio, checkbox, multiselect (required for them, unique values)
      "constraints": {...},            # optional, per type, see CONSTRAINTS
      "condition": <condition>,        # optional: the field is shown (and kept) only when it holds
      "columns": [<column>, ...],      # table_fill only (required there)
      "placeholder": "...", "helpText": "...", "description": "..."   # display only
    }

    <section> = {
      "id": "section_shareholders",    # same format as a key
      "title": "Shareholders",
      "repeatable": true,              # optional, default false
      "fields": [<field>, ...],        # no table_fill inside a repeatable section
      "condition": <condition>,        # optional: hides every field of the section
      "minItems": 1, "maxItems": 20,   # repeatable only, optional
      "description": "..."             # display only
    }

    <column> = {"key": "shares", "label": "Shares", "type": "number", "required": false,
                "options": [...], "constraints": {...}, "sourceField": "shareholder_name"}

    <condition> = {"field": "<key>", "operator": "equals", "value": <any>}
                | {"all": [<condition>, ...]}  | {"any": [<condition>, ...]}

Storage: a field's value is stored under its key. The fields of a non-repeatable section are stored at the
top level like any other field. A repeatable section's values are a list of row objects stored under
``{sectionId}_items``, each row keyed by the section's field keys. A ``table_fill`` value is a list of row
objects keyed by column key. Value shapes per type:

=============================================================================  ======================
text, email, tel, url, textarea, date, time, datetime, select, radio, country  string
number, currency, rating                                                       number
checkbox, multiselect                                                          list of option values
yesno                                                                          boolean
file, signature                                                                Document uuid string
                                                                               (list of them when
                                                                               ``constraints.multiple``)
table_fill, repeatable section items                                           list of row objects
=============================================================================  ======================

``date`` is ``YYYY-MM-DD``, ``time`` ``HH:MM[:SS]``, ``datetime`` ISO 8601; ``country`` an ISO 3166-1
alpha-2 code (pycountry's list; lower case is accepted and stored upper case); ``rating`` an integer in
1..5 unless ``constraints.min``/``max`` say otherwise. ``null`` and ``""`` mean "no answer" and are not stored.

Constraints (all optional): text/textarea/email/tel/url ``minLength``, ``maxLength``, ``pattern`` (a regular
expression the whole value must match); number/currency ``min``, ``max``, ``integer``; rating ``min``,
``max``; date/time/datetime ``min``, ``max`` (ISO strings); checkbox/multiselect ``minSelected``,
``maxSelected``; file/signature ``accept`` (extensions like ``"pdf"`` or content types like
``"image/*"``), ``multiple``, ``maxFiles``; table_fill ``minRows``, ``maxRows``.

Conditions: operators ``equals``, ``not_equals``, ``in``, ``not_in``, ``greater_than``, ``less_than``,
``empty``, ``not_empty`` (camelCase spellings such as ``notEquals`` are accepted). ``in``/``not_in`` take a
list. On a list value (checkbox, multiselect) ``equals`` means "contains" and ``in`` "shares a value with".
A hidden or missing field has no value: ``equals``, ``in``, ``greater_than``, ``less_than`` and ``not_empty``
are false for it. A condition names a top-level field (or a field of a non-repeatable section); a field of a
repeatable section may also name a field of its own section, evaluated row by row. Conditions are evaluated
in dependency order, so a field that depends on a hidden field sees no value; cycles are refused.

Table columns with ``sourceField`` (a field of a repeatable section; all source columns of one table name the
same section) are filled by the server: the table has one row per item of that section and the source
columns take the item's value, whatever the client sent there.
"""

from __future__ import annotations

import html
import math
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, time
from typing import Any, Literal

import nh3
import pycountry
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.dateparse import parse_datetime

from config.errors import ValidationFailed
from config.inputs import strip_bidi_controls

# --- Vocabulary ----------------------------------------------------------------------------------

STRING_TYPES = frozenset(
    {"text", "email", "tel", "url", "textarea", "date", "time", "datetime", "select", "radio", "country"}
)
NUMBER_TYPES = frozenset({"number", "currency", "rating"})
LIST_TYPES = frozenset({"checkbox", "multiselect"})
FILE_TYPES = frozenset({"file", "signature"})
FIELD_TYPES = STRING_TYPES | NUMBER_TYPES | LIST_TYPES | FILE_TYPES | {"yesno", "table_fill"}
OPTION_TYPES = frozenset({"select", "radio", "checkbox", "multiselect"})
# The types a table_fill column may have: scalar values only.
COLUMN_TYPES = STRING_TYPES | NUMBER_TYPES | {"yesno"}

_TEXT_CONSTRAINTS = frozenset({"minLength", "maxLength", "pattern"})
_RANGE_CONSTRAINTS = frozenset({"min", "max"})
CONSTRAINTS: dict[str, frozenset[str]] = {
    **{t: _TEXT_CONSTRAINTS for t in ("text", "textarea", "email", "tel", "url")},
    **{t: _RANGE_CONSTRAINTS | {"integer"} for t in ("number", "currency")},
    "rating": _RANGE_CONSTRAINTS,
    **{t: _RANGE_CONSTRAINTS for t in ("date", "time", "datetime")},
    **{t: frozenset({"minSelected", "maxSelected"}) for t in LIST_TYPES},
    **{t: frozenset({"accept", "multiple", "maxFiles"}) for t in FILE_TYPES},
    "table_fill": frozenset({"minRows", "maxRows"}),
    **{t: frozenset() for t in ("select", "radio", "country", "yesno")},
}

OPERATORS = frozenset({"equals", "not_equals", "in", "not_in", "greater_than", "less_than", "empty", "not_empty"})
_OPERATOR_ALIASES = {
    "notEquals": "not_equals",
    "notIn": "not_in",
    "greaterThan": "greater_than",
    "lessThan": "less_than",
    "isEmpty": "empty",
    "is_empty": "empty",
    "notEmpty": "not_empty",
    "isNotEmpty": "not_empty",
    "is_not_empty": "not_empty",
}
_VALUELESS_OPERATORS = frozenset({"empty", "not_empty"})

_FIELD_ATTRIBUTES = frozenset(
    {"key", "label", "type", "required", "options", "constraints", "condition", "columns"}
    | {"placeholder", "helpText", "description"}
)
_COLUMN_ATTRIBUTES = frozenset(
    {"key", "label", "type", "required", "options", "constraints", "sourceField", "placeholder", "helpText"}
)
_SECTION_ATTRIBUTES = frozenset(
    {"id", "title", "repeatable", "fields", "condition", "minItems", "maxItems", "description"}
)

KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
# Bounds that hold even when a field sets none, so one value cannot be megabytes of text.
DEFAULT_MAX_LENGTH = {"textarea": 20_000, "url": 2_000}
FALLBACK_MAX_LENGTH = 1_000
MAX_ROWS = 500
MAX_CONDITION_DEPTH = 10
MAX_VALUE_DEPTH = 10
RATING_DEFAULT_RANGE = (1, 5)
_SIGNATURE_ACCEPT = ("png", "jpg", "jpeg", "webp", "gif")

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)
_TEL = re.compile(r"^\+?[0-9 ()\-./]{3,30}$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")
_EMAIL = EmailValidator()
_URL = URLValidator(schemes=["http", "https"])

FileValues = Literal["documents", "file_names"]


# --- Sanitising ----------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_SANITISE_ROUNDS = 6


def sanitize_text(value: str) -> str:
    """Plain text with no markup left: tags and comments removed (script/style with their content), no controls.

    nh3 returns HTML-escaped text; we unescape it so "Tom & Jerry" is stored as typed, and clean again until
    nothing changes, so an escaped tag (``&lt;b&gt;``) cannot turn into markup after unescaping.
    """
    text = strip_bidi_controls(_CONTROL.sub("", value))
    for _ in range(_MAX_SANITISE_ROUNDS):
        cleaned = html.unescape(nh3.clean(text, tags=set()))
        if cleaned == text:
            break
        text = cleaned
    else:
        text = text.replace("<", "").replace(">", "")
    return text.strip()


def sanitize_value(value: Any, _depth: int = 0) -> Any:
    """Every string inside a JSON value (dict keys included) sanitised; other values unchanged.

    Raises ``ValidationFailed`` for values nested deeper than MAX_VALUE_DEPTH.
    """
    if _depth > MAX_VALUE_DEPTH:
        raise ValidationFailed(f"Values nest at most {MAX_VALUE_DEPTH} levels deep.", details={"fields": {}})
    if isinstance(value, str):
        return sanitize_text(value)
    if isinstance(value, list):
        return [sanitize_value(item, _depth + 1) for item in value]
    if isinstance(value, dict):
        return {sanitize_text(str(key)): sanitize_value(item, _depth + 1) for key, item in value.items()}
    return value


# --- The compiled schema -------------------------------------------------------------------------


@dataclass
class Condition:
    """A parsed condition: a leaf (``field`` set) or a group (``mode`` all/any with ``children``)."""

    field: str | None = None
    operator: str = ""
    value: Any = None
    mode: str = ""
    children: list[Condition] = dc_field(default_factory=list)

    def refs(self) -> set[str]:
        if self.field is not None:
            return {self.field}
        return set().union(*(child.refs() for child in self.children))


@dataclass
class Field:
    key: str
    type: str
    label: str
    required: bool = False
    options: tuple[str, ...] = ()
    option_labels: dict[str, str] = dc_field(default_factory=dict)
    constraints: dict[str, Any] = dc_field(default_factory=dict)
    condition: Condition | None = None
    columns: list[Field] = dc_field(default_factory=list)
    source_field: str | None = None  # columns only
    section: Section | None = None
    source_section: Section | None = None  # table_fill with source columns


@dataclass
class Section:
    id: str
    repeatable: bool
    fields: list[Field]
    condition: Condition | None = None
    title: str = ""
    min_items: int | None = None
    max_items: int | None = None

    @property
    def items_key(self) -> str:
        return f"{self.id}_items"


@dataclass
class CompiledSchema:
    fields: dict[str, Field]  # every field by key, section fields included
    sections: list[Section]
    top_order: list[Field | Section]  # top-level fields and sections, in evaluation (dependency) order
    row_orders: dict[str, list[Field]]  # repeatable section id -> its fields in evaluation order
    display_order: list[str]  # top-level data keys in schema order


class _SchemaErrors:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationFailed(
                f"Invalid form schema: {self.messages[0]}",
                code="INVALID_FORM_SCHEMA",
                details={"schema": self.messages},
            )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _parse_condition(raw: Any, where: str, errors: _SchemaErrors, depth: int = 0) -> Condition | None:
    if depth > MAX_CONDITION_DEPTH:
        errors.add(f"{where}: conditions nest at most {MAX_CONDITION_DEPTH} levels deep.")
        return None
    if not isinstance(raw, dict):
        errors.add(f"{where}: a condition must be an object.")
        return None
    groups = [mode for mode in ("all", "any") if mode in raw]
    if groups:
        mode = groups[0]
        if len(groups) > 1 or set(raw) != {mode}:
            errors.add(f"{where}: a condition group has exactly one of 'all' or 'any' and nothing else.")
            return None
        children_raw = raw[mode]
        if not isinstance(children_raw, list) or not children_raw:
            errors.add(f"{where}: '{mode}' must be a non-empty list of conditions.")
            return None
        children = [_parse_condition(child, where, errors, depth + 1) for child in children_raw]
        if any(child is None for child in children):
            return None
        return Condition(mode=mode, children=[child for child in children if child is not None])

    unknown = set(raw) - {"field", "operator", "value"}
    if unknown:
        errors.add(f"{where}: unknown condition attribute(s) {sorted(unknown)}.")
    ref, operator = raw.get("field"), raw.get("operator")
    if not isinstance(ref, str) or not ref:
        errors.add(f"{where}: a condition needs 'field' (a field key).")
        return None
    operator = _OPERATOR_ALIASES.get(operator, operator) if isinstance(operator, str) else operator
    if operator not in OPERATORS:
        errors.add(f"{where}: unknown operator {raw.get('operator')!r}; use one of {sorted(OPERATORS)}.")
        return None
    value = raw.get("value")
    if operator in ("in", "not_in") and not isinstance(value, list):
        errors.add(f"{where}: operator '{operator}' needs a list 'value'.")
        return None
    if operator in ("greater_than", "less_than") and not (_is_number(value) or isinstance(value, str)):
        errors.add(f"{where}: operator '{operator}' needs a number or an ISO date 'value'.")
        return None
    if operator not in _VALUELESS_OPERATORS and operator not in ("in", "not_in") and "value" not in raw:
        errors.add(f"{where}: operator '{operator}' needs a 'value'.")
        return None
    return Condition(field=ref, operator=operator, value=value)


def _check_bound(constraints: dict[str, Any], name: str, where: str, errors: _SchemaErrors, ftype: str) -> None:
    if name not in constraints:
        return
    bound = constraints[name]
    if ftype in ("date", "time", "datetime"):
        if not isinstance(bound, str) or _parse_temporal(ftype, bound) is None:
            errors.add(f"{where}: constraint '{name}' must be a valid {ftype} string.")
    elif not _is_number(bound):
        errors.add(f"{where}: constraint '{name}' must be a number.")


def _parse_constraints(ftype: str, raw: Any, where: str, errors: _SchemaErrors) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.add(f"{where}: 'constraints' must be an object.")
        return {}
    allowed = CONSTRAINTS[ftype]
    unknown = set(raw) - allowed
    if unknown:
        errors.add(
            f"{where}: constraint(s) {sorted(unknown)} do not apply to type '{ftype}'; allowed: {sorted(allowed)}."
        )
    constraints = {name: value for name, value in raw.items() if name in allowed}
    for name in ("minLength", "maxLength", "minSelected", "maxSelected", "maxFiles", "minRows", "maxRows"):
        if name in constraints and not (_is_int(constraints[name]) and constraints[name] >= 0):
            errors.add(f"{where}: constraint '{name}' must be a non-negative integer.")
    for name in ("integer", "multiple"):
        if name in constraints and not isinstance(constraints[name], bool):
            errors.add(f"{where}: constraint '{name}' must be true or false.")
    if "pattern" in constraints:
        try:
            re.compile(constraints["pattern"])
        except (re.error, TypeError):
            errors.add(f"{where}: constraint 'pattern' is not a valid regular expression.")
    for name in ("min", "max"):
        _check_bound(constraints, name, where, errors, ftype)
    if "accept" in constraints:
        accept = constraints["accept"]
        if not isinstance(accept, list) or not all(isinstance(item, str) and item for item in accept):
            errors.add(f"{where}: constraint 'accept' must be a list of extensions or content types.")
    for low, high in (
        ("min", "max"),
        ("minLength", "maxLength"),
        ("minSelected", "maxSelected"),
        ("minRows", "maxRows"),
    ):
        lo, hi = constraints.get(low), constraints.get(high)
        if lo is not None and hi is not None and type(lo) is type(hi) and lo > hi:
            errors.add(f"{where}: constraint '{low}' is greater than '{high}'.")
    return constraints


def _parse_field(raw: Any, where: str, errors: _SchemaErrors, *, column: bool = False) -> Field | None:
    if not isinstance(raw, dict):
        errors.add(f"{where}: a field must be an object.")
        return None
    key, ftype = raw.get("key"), raw.get("type")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        errors.add(f"{where}: 'key' must match {KEY_PATTERN.pattern} (got {key!r}).")
        return None
    where = f"{where} '{key}'"
    allowed_types = COLUMN_TYPES if column else FIELD_TYPES
    if ftype not in allowed_types:
        kind = "column" if column else "field"
        errors.add(f"{where}: unknown {kind} type {ftype!r}; use one of {sorted(allowed_types)}.")
        return None
    unknown = set(raw) - (_COLUMN_ATTRIBUTES if column else _FIELD_ATTRIBUTES)
    if unknown:
        errors.add(f"{where}: unknown attribute(s) {sorted(unknown)}.")
    label = raw.get("label", key)
    if not isinstance(label, str):
        errors.add(f"{where}: 'label' must be a string.")
        label = key
    required = raw.get("required", False)
    if not isinstance(required, bool):
        errors.add(f"{where}: 'required' must be true or false.")
        required = False

    options: list[str] = []
    option_labels: dict[str, str] = {}
    raw_options = raw.get("options")
    if ftype in OPTION_TYPES:
        if not isinstance(raw_options, list) or not raw_options:
            errors.add(f"{where}: type '{ftype}' needs a non-empty 'options' list.")
        else:
            for option in raw_options:
                if not (
                    isinstance(option, dict)
                    and isinstance(option.get("value"), str)
                    and option["value"]
                    and isinstance(option.get("label", ""), str)
                ):
                    errors.add(f"{where}: each option must be an object with a string 'value' and 'label'.")
                    break
                if option["value"] in options:
                    errors.add(f"{where}: duplicate option value {option['value']!r}.")
                options.append(option["value"])
                option_labels[option["value"]] = option.get("label") or option["value"]
    elif raw_options is not None:
        errors.add(f"{where}: type '{ftype}' takes no 'options'.")

    parsed = Field(
        key=key,
        type=ftype,
        label=label,
        required=required,
        options=tuple(options),
        option_labels=option_labels,
        constraints=_parse_constraints(ftype, raw.get("constraints"), where, errors),
    )
    if "condition" in raw:
        parsed.condition = _parse_condition(raw["condition"], where, errors)
    if column:
        source = raw.get("sourceField")
        if source is not None and not (isinstance(source, str) and source):
            errors.add(f"{where}: 'sourceField' must be a field key.")
        parsed.source_field = source or None
    if ftype == "table_fill":
        raw_columns = raw.get("columns")
        if not isinstance(raw_columns, list) or not raw_columns:
            errors.add(f"{where}: type 'table_fill' needs a non-empty 'columns' list.")
        else:
            seen: set[str] = set()
            for raw_column in raw_columns:
                parsed_column = _parse_field(raw_column, f"{where} column", errors, column=True)
                if parsed_column is None:
                    continue
                if parsed_column.key in seen:
                    errors.add(f"{where}: duplicate column key '{parsed_column.key}'.")
                seen.add(parsed_column.key)
                parsed.columns.append(parsed_column)
    elif "columns" in raw:
        errors.add(f"{where}: only 'table_fill' fields take 'columns'.")
    return parsed


def _parse_section(raw: Any, errors: _SchemaErrors) -> Section | None:
    if not isinstance(raw, dict):
        errors.add("sections: a section must be an object.")
        return None
    section_id = raw.get("id")
    if not isinstance(section_id, str) or not KEY_PATTERN.match(section_id):
        errors.add(f"section: 'id' must match {KEY_PATTERN.pattern} (got {section_id!r}).")
        return None
    where = f"section '{section_id}'"
    unknown = set(raw) - _SECTION_ATTRIBUTES
    if unknown:
        errors.add(f"{where}: unknown attribute(s) {sorted(unknown)}.")
    repeatable = raw.get("repeatable", False)
    if not isinstance(repeatable, bool):
        errors.add(f"{where}: 'repeatable' must be true or false.")
        repeatable = False
    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, list):
        errors.add(f"{where}: 'fields' must be a list.")
        raw_fields = []
    title = raw.get("title", section_id)
    section = Section(
        id=section_id, repeatable=repeatable, fields=[], title=title if isinstance(title, str) else section_id
    )
    for raw_field in raw_fields:
        parsed = _parse_field(raw_field, f"{where} field", errors)
        if parsed is None:
            continue
        if repeatable and parsed.type == "table_fill":
            errors.add(f"{where}: a repeatable section cannot hold a table_fill field ('{parsed.key}').")
        parsed.section = section
        section.fields.append(parsed)
    if "condition" in raw:
        section.condition = _parse_condition(raw["condition"], where, errors)
    for name, attr in (("minItems", "min_items"), ("maxItems", "max_items")):
        if name not in raw:
            continue
        if not repeatable:
            errors.add(f"{where}: '{name}' applies to repeatable sections only.")
        elif not (_is_int(raw[name]) and raw[name] >= 0):
            errors.add(f"{where}: '{name}' must be a non-negative integer.")
        else:
            setattr(section, attr, raw[name])
    return section


def _topological(nodes: dict[str, set[str]], errors: _SchemaErrors, describe: Callable[[str], str]) -> list[str]:
    """Nodes ordered so each comes after what it depends on; a cycle is reported once and broken."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            cycle = path[path.index(node) :] + [node]
            errors.add("circular condition: " + " -> ".join(describe(n) for n in cycle) + ".")
            return
        state[node] = 1
        for dependency in sorted(nodes.get(node, ())):
            if dependency in nodes:
                visit(dependency, [*path, node])
        state[node] = 2
        order.append(node)

    for node in nodes:
        visit(node, [])
    return order


def _compile(schema: Any) -> CompiledSchema:
    errors = _SchemaErrors()
    if not isinstance(schema, dict):
        errors.add("the schema must be an object with 'fields' (and optionally 'sections').")
        errors.raise_if_any()
    unknown = set(schema) - {"fields", "sections"}
    if unknown:
        errors.add(f"unknown top-level attribute(s) {sorted(unknown)}; a schema has 'fields' and 'sections'.")
    raw_fields = schema.get("fields", [])
    raw_sections = schema.get("sections", [])
    if not isinstance(raw_fields, list) or not isinstance(raw_sections, list):
        errors.add("'fields' and 'sections' must be lists.")
        errors.raise_if_any()

    top_fields = [parsed for raw in raw_fields if (parsed := _parse_field(raw, "field", errors)) is not None]
    sections = [section for raw in raw_sections if (section := _parse_section(raw, errors)) is not None]
    if not top_fields and not any(section.fields for section in sections):
        errors.add("a form needs at least one field.")

    fields: dict[str, Field] = {}
    data_keys: set[str] = set()
    section_ids: set[str] = set()
    for section in sections:
        if section.id in section_ids:
            errors.add(f"duplicate section id '{section.id}'.")
        section_ids.add(section.id)
        if section.repeatable:
            data_keys.add(section.items_key)
    for item in [*top_fields, *(f for s in sections for f in s.fields)]:
        if item.key in fields or item.key in data_keys:
            errors.add(f"duplicate field key '{item.key}'.")
            continue
        fields[item.key] = item
        if item.section is None or not item.section.repeatable:
            data_keys.add(item.key)

    def scope_of(item: Field) -> str | None:
        """The repeatable section a field lives in, or None for the top level."""
        return item.section.id if item.section is not None and item.section.repeatable else None

    def check_refs(condition: Condition | None, where: str, own_scope: str | None) -> None:
        for ref in sorted(condition.refs()) if condition else []:
            target = fields.get(ref)
            if target is None:
                errors.add(f"{where}: condition on a missing field '{ref}'.")
            elif scope_of(target) not in (None, own_scope):
                errors.add(
                    f"{where}: condition on '{ref}', a field of repeatable section '{scope_of(target)}'; "
                    "only that section's own fields may refer to it."
                )

    for item in fields.values():
        check_refs(item.condition, f"field '{item.key}'", scope_of(item))
    for section in sections:
        check_refs(section.condition, f"section '{section.id}'", None)

    # Table columns filled from a repeatable section.
    for item in fields.values():
        source_sections = set()
        for column in item.columns:
            if column.source_field is None:
                continue
            source = fields.get(column.source_field)
            if source is None or scope_of(source) is None:
                errors.add(
                    f"table '{item.key}' column '{column.key}': sourceField '{column.source_field}' "
                    "is not a field of a repeatable section."
                )
                continue
            assert source.section is not None
            source_sections.add(source.section.id)
            item.source_section = source.section
        if len(source_sections) > 1:
            errors.add(f"table '{item.key}': all sourceField columns must come from one repeatable section.")
    errors.raise_if_any()

    # Dependency graph: a field depends on what its condition names and on its section; a section on what
    # its condition names. Cycles are refused; the order is the evaluation order.
    graph: dict[str, set[str]] = {}
    for item in fields.values():
        deps = set(item.condition.refs()) if item.condition else set()
        if item.section is not None:
            deps.add(f"section:{item.section.id}")
        graph[item.key] = deps
    for section in sections:
        graph[f"section:{section.id}"] = set(section.condition.refs()) if section.condition else set()
    order = _topological(
        graph, errors, lambda node: f"section '{node[8:]}'" if node.startswith("section:") else f"'{node}'"
    )
    errors.raise_if_any()

    by_id = {section.id: section for section in sections}
    top_order: list[Field | Section] = []
    row_orders: dict[str, list[Field]] = {section.id: [] for section in sections if section.repeatable}
    for node in order:
        if node.startswith("section:"):
            top_order.append(by_id[node[8:]])
            continue
        item = fields[node]
        scope = scope_of(item)
        if scope is None:
            top_order.append(item)
        else:
            row_orders[scope].append(item)
    # Tables filled from a section come after it, whatever their conditions name.
    top_order.sort(key=lambda node: 1 if isinstance(node, Field) and node.source_section is not None else 0)

    display_order = [f.key for f in top_fields]
    for section in sections:
        if section.repeatable:
            display_order.append(section.items_key)
        else:
            display_order.extend(f.key for f in section.fields)
    return CompiledSchema(
        fields=fields, sections=sections, top_order=top_order, row_orders=row_orders, display_order=display_order
    )


def validate_form_schema(schema: dict[str, Any]) -> None:
    """Raise ``ValidationFailed`` (code ``INVALID_FORM_SCHEMA``) unless ``schema`` is a well-formed form schema."""
    _compile(schema)


# --- Conditions ----------------------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _compare(left: Any, right: Any, greater: bool) -> bool:
    if _is_number(left) and _is_number(right):
        return bool(left > right) if greater else bool(left < right)
    if isinstance(left, str) and isinstance(right, str):
        return left > right if greater else left < right
    return False


def _holds(condition: Condition, lookup: Callable[[str], Any]) -> bool:
    if condition.field is None:
        results = (_holds(child, lookup) for child in condition.children)
        return all(results) if condition.mode == "all" else any(results)
    value = lookup(condition.field)
    operator, expected = condition.operator, condition.value
    if operator == "empty":
        return _is_empty(value)
    if operator == "not_empty":
        return not _is_empty(value)
    if operator in ("equals", "not_equals"):
        matched = expected in value if isinstance(value, list) else (value is not None and value == expected)
        return matched if operator == "equals" else not matched
    if operator in ("in", "not_in"):
        values = value if isinstance(value, list) else ([] if value is None else [value])
        matched = any(item in expected for item in values)
        return matched if operator == "in" else not matched
    return value is not None and _compare(value, expected, greater=operator == "greater_than")


# --- Values --------------------------------------------------------------------------------------


class _Invalid(Exception):
    """One value is wrong; the message is shown under the field's path."""


def _parse_temporal(ftype: str, value: str) -> date | time | Any | None:
    try:
        if ftype == "date":
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                return None
            return date.fromisoformat(value)
        if ftype == "time":
            return time.fromisoformat(value) if _TIME.match(value) else None
        return parse_datetime(value)
    except ValueError:
        return None


def _check_text_constraints(value: str, constraints: dict[str, Any], ftype: str) -> None:
    max_length = constraints.get("maxLength", DEFAULT_MAX_LENGTH.get(ftype, FALLBACK_MAX_LENGTH))
    if len(value) > max_length:
        raise _Invalid(f"Must be at most {max_length} characters.")
    if len(value) < constraints.get("minLength", 0):
        raise _Invalid(f"Must be at least {constraints['minLength']} characters.")
    pattern = constraints.get("pattern")
    if pattern and not re.fullmatch(pattern, value):
        raise _Invalid("Does not match the required format.")


def _clean_string(item: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"Must be a string ({item.type}).")
    text = sanitize_text(value)
    ftype, constraints = item.type, item.constraints
    if ftype in ("text", "textarea", "email", "tel", "url"):
        _check_text_constraints(text, constraints, ftype)
    if ftype == "email":
        try:
            _EMAIL(text)
        except DjangoValidationError as exc:
            raise _Invalid("Must be a valid email address.") from exc
    elif ftype == "url":
        try:
            _URL(text)
        except DjangoValidationError as exc:
            raise _Invalid("Must be a valid http(s) URL.") from exc
    elif ftype == "tel":
        if not _TEL.match(text) or sum(ch.isdigit() for ch in text) < 3:
            raise _Invalid("Must be a valid phone number.")
    elif ftype in ("date", "time", "datetime"):
        parsed = _parse_temporal(ftype, text)
        if parsed is None:
            shape = {"date": "YYYY-MM-DD", "time": "HH:MM or HH:MM:SS", "datetime": "ISO 8601 date and time"}[ftype]
            raise _Invalid(f"Must be a valid {ftype} ({shape}).")
        for name, too in (("min", "earlier"), ("max", "later")):
            bound = constraints.get(name)
            if bound is None:
                continue
            bound_value = _parse_temporal(ftype, bound)
            try:
                bad = parsed < bound_value if name == "min" else parsed > bound_value  # type: ignore[operator]
            except TypeError:  # a naive and an aware datetime
                bad = False
            if bad:
                raise _Invalid(f"Must not be {too} than {bound}.")
    elif ftype in ("select", "radio"):
        if text not in item.options:
            raise _Invalid(f"{text!r} is not one of the options {list(item.options)}.")
    elif ftype == "country":
        text = text.upper()
        if text not in COUNTRY_CODES:
            raise _Invalid("Must be an ISO 3166-1 alpha-2 country code, like 'US'.")
    return text


def _clean_number(item: Field, value: Any) -> int | float:
    if not _is_number(value):
        raise _Invalid("Must be a number.")
    constraints = item.constraints
    low, high = constraints.get("min"), constraints.get("max")
    if item.type == "rating":
        low = RATING_DEFAULT_RANGE[0] if low is None else low
        high = RATING_DEFAULT_RANGE[1] if high is None else high
        if not float(value).is_integer():
            raise _Invalid("A rating must be a whole number.")
        value = int(value)
    elif constraints.get("integer") and not float(value).is_integer():
        raise _Invalid("Must be a whole number.")
    if low is not None and value < low:
        raise _Invalid(f"Must be at least {low}.")
    if high is not None and value > high:
        raise _Invalid(f"Must be at most {high}.")
    return value


def _clean_choices(item: Field, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(choice, str) for choice in value):
        raise _Invalid("Must be a list of option values.")
    unknown = [choice for choice in value if choice not in item.options]
    if unknown:
        raise _Invalid(f"{unknown} not among the options {list(item.options)}.")
    if len(set(value)) != len(value):
        raise _Invalid("Each option may be chosen once.")
    low, high = item.constraints.get("minSelected"), item.constraints.get("maxSelected")
    if low is not None and value and len(value) < low:
        raise _Invalid(f"Choose at least {low}.")
    if high is not None and len(value) > high:
        raise _Invalid(f"Choose at most {high}.")
    return list(value)


def _accepts(accept: list[str] | tuple[str, ...], *, extension: str, content_type: str) -> bool:
    for entry in accept:
        entry = entry.lower().strip()
        if "/" in entry:
            if entry == content_type or (entry.endswith("/*") and content_type.startswith(entry[:-1])):
                return True
        elif entry.lstrip(".") == extension or (entry.lstrip(".") in ("jpg", "jpeg") and extension in ("jpg", "jpeg")):
            return True
    return False


def _accept_list(item: Field) -> list[str] | tuple[str, ...] | None:
    accept = item.constraints.get("accept")
    if accept:
        return accept
    return _SIGNATURE_ACCEPT if item.type == "signature" else None


@dataclass
class _Context:
    mode: FileValues
    file_refs: list[tuple[str, Field, str]] = dc_field(default_factory=list)  # (path, field, document uuid)


def _clean_files(item: Field, value: Any, path: str, context: _Context) -> str | list[str]:
    from documents.filetypes import extension_of, file_type_for_name

    multiple = bool(item.constraints.get("multiple"))
    values = value if multiple and isinstance(value, list) else [value]
    if multiple and not isinstance(value, list):
        raise _Invalid("Must be a list of files.")
    max_files = item.constraints.get("maxFiles")
    if max_files is not None and len(values) > max_files:
        raise _Invalid(f"At most {max_files} file(s).")
    cleaned: list[str] = []
    for entry in values:
        if not isinstance(entry, str) or not entry.strip():
            raise _Invalid("Must be a file name." if context.mode == "file_names" else "Must be a document id.")
        if context.mode == "file_names":
            name = sanitize_text(entry)
            file_type = file_type_for_name(name)
            if file_type is None:
                raise _Invalid(f"File type of {name!r} is not accepted.")
            accept = _accept_list(item)
            if accept and not _accepts(accept, extension=extension_of(name), content_type=file_type.content_type):
                raise _Invalid(f"{name!r}: accepted file types are {list(accept)}.")
            cleaned.append(name)
        else:
            try:
                document_uuid = str(uuid.UUID(entry.strip()))
            except ValueError as exc:
                raise _Invalid(f"{entry!r} is not a document id.") from exc
            context.file_refs.append((path, item, document_uuid))
            cleaned.append(document_uuid)
    if len(set(cleaned)) != len(cleaned):
        raise _Invalid("The same file is given twice.")
    return cleaned if multiple else cleaned[0]


def _clean_scalar(item: Field, value: Any, path: str, context: _Context) -> Any:
    if item.type in STRING_TYPES:
        return _clean_string(item, value)
    if item.type in NUMBER_TYPES:
        return _clean_number(item, value)
    if item.type in LIST_TYPES:
        return _clean_choices(item, value)
    if item.type == "yesno":
        if not isinstance(value, bool):
            raise _Invalid("Must be true or false.")
        return value
    if item.type in FILE_TYPES:
        return _clean_files(item, value, path, context)
    raise AssertionError(item.type)  # table_fill is handled by the caller


class _Cleaner:
    def __init__(self, compiled: CompiledSchema, *, require_required: bool, context: _Context) -> None:
        self.compiled = compiled
        self.require_required = require_required
        self.context = context
        self.errors: dict[str, list[str]] = {}

    def error(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def value(self, item: Field, raw: Any, path: str) -> Any:
        """The cleaned value, or None for "no answer" (also after an error, which is recorded)."""
        if raw is None or (isinstance(raw, str) and not sanitize_text(raw)):
            return None
        try:
            return _clean_scalar(item, raw, path, self.context)
        except _Invalid as exc:
            self.error(path, str(exc))
            return None

    def require(self, item: Field, value: Any, path: str) -> None:
        if self.require_required and item.required and _is_empty(value):
            self.error(path, f"{item.label} is required.")

    def rows(self, raw: Any, path: str, what: str) -> list[dict[str, Any]]:
        if raw is None:
            return []
        if not isinstance(raw, list) or not all(isinstance(row, dict) for row in raw):
            self.error(path, f"Must be a list of {what} objects.")
            return []
        if len(raw) > MAX_ROWS:
            self.error(path, f"At most {MAX_ROWS} {what}s.")
            return []
        return raw

    def section_items(self, section: Section, raw: Any, top: dict[str, Any]) -> list[dict[str, Any]]:
        path = section.items_key
        rows = self.rows(raw, path, "item")
        known = {item.key for item in section.fields}
        cleaned_rows: list[dict[str, Any]] = []
        for index, row in enumerate(rows):
            row_path = f"{path}[{index}]"
            for unknown in sorted(set(row) - known):
                self.error(f"{row_path}.{unknown}", "Unknown field.")
            cleaned: dict[str, Any] = {}

            def lookup(key: str, cleaned: dict[str, Any] = cleaned) -> Any:
                return cleaned.get(key) if key in known else top.get(key)

            for item in self.compiled.row_orders[section.id]:
                if item.condition is not None and not _holds(item.condition, lookup):
                    continue
                value = self.value(item, row.get(item.key), f"{row_path}.{item.key}")
                self.require(item, value, f"{row_path}.{item.key}")
                if value is not None:
                    cleaned[item.key] = value
            cleaned_rows.append({f.key: cleaned[f.key] for f in section.fields if f.key in cleaned})
        count = len(cleaned_rows)
        if section.max_items is not None and count > section.max_items:
            self.error(path, f"At most {section.max_items} item(s).")
        if self.require_required and section.min_items is not None and count < section.min_items:
            self.error(path, f"At least {section.min_items} item(s).")
        return cleaned_rows

    def table(self, item: Field, raw: Any, top: dict[str, Any]) -> list[dict[str, Any]]:
        path = item.key
        rows = self.rows(raw, path, "row")
        source_items: list[dict[str, Any]] | None = None
        if item.source_section is not None:
            source_items = top.get(item.source_section.items_key) or []
            if len(rows) > len(source_items):
                self.error(
                    path,
                    f"Has {len(rows)} rows but section '{item.source_section.id}' has {len(source_items)} item(s); "
                    "the table has one row per item.",
                )
                return []
            rows = rows + [{} for _ in range(len(source_items) - len(rows))]
        known = {column.key for column in item.columns}
        cleaned_rows: list[dict[str, Any]] = []
        for index, row in enumerate(rows):
            row_path = f"{path}[{index}]"
            for unknown in sorted(set(row) - known):
                self.error(f"{row_path}.{unknown}", "Unknown column.")
            cleaned: dict[str, Any] = {}
            for column in item.columns:
                if column.source_field is not None and source_items is not None:
                    value = source_items[index].get(column.source_field)
                else:
                    value = self.value(column, row.get(column.key), f"{row_path}.{column.key}")
                    self.require(column, value, f"{row_path}.{column.key}")
                if value is not None:
                    cleaned[column.key] = value
            cleaned_rows.append(cleaned)
        low, high = item.constraints.get("minRows"), item.constraints.get("maxRows")
        if high is not None and len(cleaned_rows) > high:
            self.error(path, f"At most {high} row(s).")
        if self.require_required and low is not None and len(cleaned_rows) < low:
            self.error(path, f"At least {low} row(s).")
        return cleaned_rows

    def clean(self, data: dict[str, Any]) -> dict[str, Any]:
        compiled = self.compiled
        known = set(compiled.display_order)
        for unknown in sorted(set(data) - known):
            self.error(unknown, "Unknown field.")
        top: dict[str, Any] = {}
        hidden_sections: set[str] = set()
        for node in compiled.top_order:
            if isinstance(node, Section):
                if node.condition is not None and not _holds(node.condition, top.get):
                    hidden_sections.add(node.id)
                elif node.repeatable:
                    items = self.section_items(node, data.get(node.items_key), top)
                    needs_one = node.min_items is None and any(f.required for f in node.fields)
                    if self.require_required and needs_one and not items:
                        self.error(node.items_key, "At least one item is required.")
                    if items:
                        top[node.items_key] = items
                continue
            item = node
            if item.section is not None and item.section.id in hidden_sections:
                continue
            if item.condition is not None and not _holds(item.condition, top.get):
                continue
            if item.type == "table_fill":
                value: Any = self.table(item, data.get(item.key), top) or None
            else:
                value = self.value(item, data.get(item.key), item.key)
            self.require(item, value, item.key)
            if value is not None:
                top[item.key] = value
        return {key: top[key] for key in compiled.display_order if key in top}


def _check_documents(context: _Context, workspace: Any, cleaner: _Cleaner) -> None:
    """One query for every referenced document: same workspace, upload accepted, accepted type."""
    if not context.file_refs:
        return
    from documents.constants import DocumentStatus
    from documents.filetypes import extension_of
    from documents.models import Document

    wanted = {document_uuid for _, _, document_uuid in context.file_refs}
    found = {
        str(row[0]): row
        for row in Document.objects.filter(workspace=workspace, uuid__in=wanted).values_list(
            "uuid", "status", "sanitized_name", "content_type"
        )
    }
    for path, item, document_uuid in context.file_refs:
        row = found.get(document_uuid)
        if row is None:
            cleaner.error(path, f"No file {document_uuid} in this workspace.")
            continue
        _, status, name, content_type = row
        if status != DocumentStatus.UPLOADED:
            cleaner.error(path, f"File {document_uuid} has not been uploaded and accepted yet.")
            continue
        accept = _accept_list(item)
        if accept and not _accepts(accept, extension=extension_of(name), content_type=content_type):
            cleaner.error(path, f"File {document_uuid}: accepted file types are {list(accept)}.")


def clean_form_data(
    *,
    schema: dict[str, Any],
    data: dict[str, Any],
    workspace: Any,
    require_required: bool,
    file_values: FileValues = "documents",
) -> dict[str, Any]:
    """Validate ``data`` against ``schema`` and return what may be persisted (see the module docstring).

    Raises ``ValidationFailed`` with ``details={"fields": {path: [messages]}}``; paths of nested values look
    like ``section_shareholders_items[0].shareholder_name`` and ``share_allocation[1].shares``.
    """
    if file_values not in ("documents", "file_names"):
        raise ValueError(f"file_values must be 'documents' or 'file_names', not {file_values!r}")
    if not isinstance(data, dict):
        raise ValidationFailed("data must be an object keyed by field key.", details={"fields": {}})
    compiled = _compile(schema)
    context = _Context(mode=file_values)
    cleaner = _Cleaner(compiled, require_required=require_required, context=context)
    cleaned = cleaner.clean(data)
    if file_values == "documents":
        _check_documents(context, workspace, cleaner)
    if cleaner.errors:
        count = len(cleaner.errors)
        first_path, first_messages = next(iter(cleaner.errors.items()))
        message = f"{first_path}: {first_messages[0]}" + (f" (and {count - 1} more)" if count > 1 else "")
        raise ValidationFailed(f"Invalid submission data. {message}", details={"fields": cleaner.errors})
    return cleaned


def file_field_keys(schema: dict[str, Any]) -> list[str]:
    """The keys of every file and signature field, in schema order (fields of repeatable sections included)."""
    compiled = _compile(schema)
    return [key for key, item in compiled.fields.items() if item.type in FILE_TYPES]


def iter_file_values(schema: dict[str, Any], data: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """``(path, field_key, value)`` of every file/signature value in cleaned ``data`` (one per file)."""
    compiled = _compile(schema)
    for key, item in compiled.fields.items():
        if item.type not in FILE_TYPES:
            continue
        if item.section is not None and item.section.repeatable:
            rows = data.get(item.section.items_key) or []
            located = [(f"{item.section.items_key}[{i}].{key}", row.get(key)) for i, row in enumerate(rows)]
        else:
            located = [(key, data.get(key))]
        for path, value in located:
            for entry in value if isinstance(value, list) else [value]:
                if entry is not None:
                    yield path, key, entry


# --- Display -------------------------------------------------------------------------------------


@dataclass
class DisplayRow:
    """One answer as a read-only page shows it: a text, a list of item rows, or a table."""

    label: str
    text: str = ""
    columns: list[str] = dc_field(default_factory=list)
    rows: list[list[str]] = dc_field(default_factory=list)
    items: list[list[tuple[str, str]]] = dc_field(default_factory=list)


def _display_text(item: Field, value: Any) -> str:
    if value is None:
        return ""
    if item.type == "yesno":
        return "Yes" if value else "No"
    if item.type in LIST_TYPES:
        return ", ".join(item.option_labels.get(choice, choice) for choice in value)
    if item.type in ("select", "radio"):
        return item.option_labels.get(value, value)
    if item.type == "country":
        country = pycountry.countries.get(alpha_2=value)
        return f"{country.name} ({value})" if country else str(value)
    if item.type in FILE_TYPES:
        count = len(value) if isinstance(value, list) else 1
        return f"{count} file(s) attached"
    return str(value)


def display_rows(schema: dict[str, Any], data: dict[str, Any]) -> list[DisplayRow]:
    """The stored answers of ``data`` with their labels, in schema order (for read-only pages)."""
    compiled = _compile(schema)
    rows: list[DisplayRow] = []
    sections = {section.items_key: section for section in compiled.sections if section.repeatable}
    for key in compiled.display_order:
        if key not in data:
            continue
        value = data[key]
        if key in sections:
            section = sections[key]
            items = [
                [(f.label, _display_text(f, entry.get(f.key))) for f in section.fields if f.key in entry]
                for entry in value
            ]
            rows.append(DisplayRow(label=section.title, items=items))
            continue
        item = compiled.fields[key]
        if item.type == "table_fill":
            table_rows = [[_display_text(column, row.get(column.key)) for column in item.columns] for row in value]
            rows.append(DisplayRow(label=item.label, columns=[c.label for c in item.columns], rows=table_rows))
        else:
            rows.append(DisplayRow(label=item.label, text=_display_text(item, value)))
    return rows

"""What a field type is: the base class every handler extends, and the constraint checks they share."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, ClassVar, Literal

from django.utils import translation
from django.utils.translation import gettext_noop

from submissions.formschema.displaysql import Answer, python_str
from submissions.formschema.sanitize import sanitize_text
from submissions.formschema.schema import Field, Invalid, SchemaErrors, is_int, is_number

FileValues = Literal["documents", "file_names"]

_NON_NEGATIVE = ("minLength", "maxLength", "minSelected", "maxSelected", "maxFiles", "minRows", "maxRows")
_BOOLEAN = ("integer", "multiple")
_RANGES = (("min", "max"), ("minLength", "maxLength"), ("minSelected", "maxSelected"), ("minRows", "maxRows"))


@dataclass
class CleanContext:
    """What cleaning one form's data collects beside the values: the document ids to look up in one query."""

    mode: FileValues
    file_refs: list[tuple[str, Field, str]] = dc_field(default_factory=list)  # (path, field, document uuid)
    file_count: int = 0  # files in this form's data so far (bounded by UPLOAD_MAX_FILES_PER_REQUEST)


class FieldType:
    """One field type: its constraints, how a value is cleaned, shown to a reviewer, and rendered by a browser.

    A handler is stateless; the registry (``fieldtypes.FIELD_TYPES``) holds one instance per type name.
    """

    name: ClassVar[str]
    widget: ClassVar[str]
    constraints: ClassVar[frozenset[str]] = frozenset()
    takes_options: ClassVar[bool] = False
    column: ClassVar[bool] = True  # may be a column of a table_fill field
    bound_kind: ClassVar[str] = "a number"  # what its min/max constraints are, for the schema's error message

    def bound_ok(self, bound: Any) -> bool:
        """Whether ``bound`` may be this type's ``min``/``max`` constraint."""
        return is_number(bound)

    def check_constraints(self, constraints: dict[str, Any], where: str, errors: SchemaErrors) -> None:
        """Checks of this type's own constraints beyond the shared ones (``parse_constraints``)."""

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> Any:
        """The value to store (never None); raises ``Invalid`` with the message shown under ``path``."""
        raise NotImplementedError

    def display(self, field: Field, value: Any, language: str | None = None) -> str:
        """A stored value as a reviewer reads it."""
        return str(value)

    def display_sql(self, field: Field, answer: Answer) -> str | None:
        """``display`` as a PostgreSQL expression of ``answer`` (see ``displaysql``), or None where SQL cannot
        show it at all (the export then writes every row in Python)."""
        return python_str(answer)

    def spec(self, field: Field, language: str | None = None) -> dict[str, Any]:
        """What a browser needs beyond the common keys to render and check the field (JSON-able)."""
        return {}


def parse_constraints(handler: FieldType, raw: Any, where: str, errors: SchemaErrors) -> dict[str, Any]:
    """The constraints of a field of ``handler``'s type that apply to it; every problem is added to ``errors``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.add(f"{where}: 'constraints' must be an object.")
        return {}
    allowed = handler.constraints
    unknown = set(raw) - allowed
    if unknown:
        errors.add(
            f"{where}: constraint(s) {sorted(unknown)} do not apply to type '{handler.name}'; "
            f"allowed: {sorted(allowed)}."
        )
    constraints = {name: value for name, value in raw.items() if name in allowed}
    _check_shapes(constraints, where, errors)
    handler.check_constraints(constraints, where, errors)
    for name in ("min", "max"):
        if name in constraints and not handler.bound_ok(constraints[name]):
            errors.add(f"{where}: constraint '{name}' must be {handler.bound_kind}.")
    for low, high in _RANGES:
        lo, hi = constraints.get(low), constraints.get(high)
        if lo is not None and hi is not None and type(lo) is type(hi) and lo > hi:
            errors.add(f"{where}: constraint '{low}' is greater than '{high}'.")
    return constraints


def _check_shapes(constraints: dict[str, Any], where: str, errors: SchemaErrors) -> None:
    """Counts are non-negative integers, switches are booleans, whatever the type."""
    for name in _NON_NEGATIVE:
        if name in constraints and not (is_int(constraints[name]) and constraints[name] >= 0):
            errors.add(f"{where}: constraint '{name}' must be a non-negative integer.")
    for name in _BOOLEAN:
        if name in constraints and not isinstance(constraints[name], bool):
            errors.add(f"{where}: constraint '{name}' must be true or false.")


def in_language(text: str, language: str | None) -> str:
    """``text`` (an English message of the catalogue) in ``language``; None: as it is (exports, the API)."""
    if language is None:
        return text
    with translation.override(language):
        return translation.gettext(text)


def string_value(field: Field, value: Any) -> str:
    """A string answer, sanitised; anything else is refused."""
    if not isinstance(value, str):
        raise Invalid(gettext_noop("Must be a string (%(type)s)."), type=field.type)
    return sanitize_text(value)


def constraints_spec(field: Field, *names: str) -> dict[str, Any]:
    """The field's constraints of ``names`` that it sets, for the browser spec."""
    return {name: field.constraints[name] for name in names if name in field.constraints}


def range_spec(field: Field, low: Any = None, high: Any = None) -> dict[str, Any]:
    """``min``/``max`` of the spec: the field's constraints, else the type's defaults (None values left out)."""
    bounds = {"min": field.constraints.get("min", low), "max": field.constraints.get("max", high)}
    return {name: bound for name, bound in bounds.items() if bound is not None}

"""Numbers: number and currency (min, max, integer), rating (whole numbers, 1..5 unless min/max say otherwise)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from submissions.formschema.fieldtypes.base import CleanContext, FieldType, range_spec
from submissions.formschema.schema import Field, Invalid, is_number

RATING_DEFAULT_RANGE = (1, 5)


def _in_range(value: int | float, low: Any, high: Any) -> int | float:
    if low is not None and value < low:
        raise Invalid(gettext_noop("Must be at least %(low)s."), low=low)
    if high is not None and value > high:
        raise Invalid(gettext_noop("Must be at most %(high)s."), high=high)
    return value


def _number(value: Any) -> int | float:
    if not is_number(value):
        raise Invalid(gettext_noop("Must be a number."))
    number: int | float = value
    return number


class NumberType(FieldType):
    name = "number"
    widget = "number"
    constraints = frozenset({"min", "max", "integer"})

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> int | float:
        number = _number(value)
        if field.constraints.get("integer") and not float(number).is_integer():
            raise Invalid(gettext_noop("Must be a whole number."))
        return _in_range(number, field.constraints.get("min"), field.constraints.get("max"))

    def spec(self, field: Field, language: str | None = None) -> dict[str, Any]:
        return {**range_spec(field), "integer": bool(field.constraints.get("integer"))}


class CurrencyType(NumberType):
    name = "currency"
    widget = "currency"


class RatingType(FieldType):
    name = "rating"
    widget = "rating"
    constraints = frozenset({"min", "max"})

    def bounds(self, field: Field) -> tuple[Any, Any]:
        low, high = field.constraints.get("min"), field.constraints.get("max")
        return (RATING_DEFAULT_RANGE[0] if low is None else low, RATING_DEFAULT_RANGE[1] if high is None else high)

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> int | float:
        number = _number(value)
        if not float(number).is_integer():
            raise Invalid(gettext_noop("A rating must be a whole number."))
        return _in_range(int(number), *self.bounds(field))

    def spec(self, field: Field, language: str | None = None) -> dict[str, Any]:
        return {**range_spec(field, *self.bounds(field)), "integer": True}

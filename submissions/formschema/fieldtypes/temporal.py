"""Dates and times: date (``YYYY-MM-DD``), time (``HH:MM[:SS]``), datetime (ISO 8601), bounded by min/max."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any, ClassVar

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_noop

from submissions.formschema.fieldtypes.base import CleanContext, FieldType, range_spec, string_value
from submissions.formschema.schema import Field, Invalid


class DateType(FieldType):
    name = "date"
    widget = "date"
    constraints = frozenset({"min", "max"})
    bound_kind = "a valid date string"
    invalid: ClassVar[str] = gettext_noop("Must be a valid date (YYYY-MM-DD).")
    form: ClassVar[re.Pattern[str] | None] = re.compile(r"\d{4}-\d{2}-\d{2}")

    def convert(self, text: str) -> Any:
        """The value of ``text``; raises ValueError (or answers None) when it is none."""
        return date.fromisoformat(text)

    def parse(self, text: str) -> Any:
        """The date or time ``text`` stands for, or None."""
        if self.form is not None and not self.form.fullmatch(text):
            return None
        try:
            return self.convert(text)
        except ValueError:
            return None

    def bound_ok(self, bound: Any) -> bool:
        return isinstance(bound, str) and self.parse(bound) is not None

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> str:
        text = string_value(field, value)
        parsed = self.parse(text)
        if parsed is None:
            raise Invalid(self.invalid)
        for name, message in (
            ("min", gettext_noop("Must not be earlier than %(bound)s.")),
            ("max", gettext_noop("Must not be later than %(bound)s.")),
        ):
            bound = field.constraints.get(name)
            if bound is not None and _beyond(parsed, self.parse(bound), below=name == "min"):
                raise Invalid(message, bound=bound)
        return text

    def spec(self, field: Field, language: str | None = None) -> dict[str, Any]:
        return range_spec(field)


def _beyond(value: Any, bound: Any, *, below: bool) -> bool:
    try:
        return bool(value < bound) if below else bool(value > bound)
    except TypeError:  # a naive and an aware datetime
        return False


class TimeType(DateType):
    name = "time"
    widget = "time"
    bound_kind = "a valid time string"
    invalid = gettext_noop("Must be a valid time (HH:MM or HH:MM:SS).")
    form = re.compile(r"\d{2}:\d{2}(:\d{2})?")

    def convert(self, text: str) -> Any:
        return time.fromisoformat(text)


class DatetimeType(DateType):
    name = "datetime"
    widget = "datetime"
    bound_kind = "a valid datetime string"
    invalid = gettext_noop("Must be a valid datetime (ISO 8601 date and time).")
    form = None

    def convert(self, text: str) -> Any:
        return parse_datetime(text)

"""Query-string parameters: one base serializer so every list reads them the same way."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation

# Dates a query may name: a day past either end and any UTC offset stay representable.
QUERY_DATE_MIN = date(1900, 1, 1)
QUERY_DATE_MAX = date(9998, 12, 31)


def in_query_range(value: date) -> None:
    """Query dates are bounded, so a day after or an offset from one is still a date (0001-01-01..9999-12-31 is not)."""
    day = value.date() if isinstance(value, datetime) else value
    if not QUERY_DATE_MIN <= day <= QUERY_DATE_MAX:
        raise serializers.ValidationError(f"Must be between {QUERY_DATE_MIN} and {QUERY_DATE_MAX}.")


class QuerySerializer(serializers.Serializer[Any]):
    """A query string's parameters.

    DRF reads a query string like an HTML form: an empty optional parameter counts as absent. The schema says
    otherwise: ``status=`` names no status, ``dateTo=`` is no date, ``page=`` no number. So an empty value is
    refused unless the field allows a blank (``allow_blank=True``, documented as such: ``search=`` searches for
    nothing, that is, lists everything).
    """

    def to_internal_value(self, data: Any) -> Any:
        empty = [
            name
            for name, field in self.fields.items()
            if not getattr(field, "allow_blank", False) and name in data and data.get(name) == ""
        ]
        if empty:
            message = "An empty value is not allowed here; leave the parameter out to not filter by it."
            raise serializers.ValidationError({name: [message] for name in empty})
        return super().to_internal_value(data)


class _NoFormatOverride:
    URL_FORMAT_OVERRIDE = None


class FormatParameterNegotiation(DefaultContentNegotiation):
    """For routes whose ``format`` parameter names the file they answer (``format=csv``), not DRF's renderer.

    Of its settings the negotiation reads only ``URL_FORMAT_OVERRIDE``.
    """

    settings = _NoFormatOverride()  # type: ignore[assignment]

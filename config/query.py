"""Query-string parameters: one base serializer so every list reads them the same way."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


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

"""Query-string parameters: one base serializer so every list reads them the same way."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class QuerySerializer(serializers.Serializer[Any]):
    """A query string's parameters.

    DRF reads a query string like an HTML form: an empty optional parameter (``search=``) counts as absent.
    A choice is the exception: ``status=`` names no status, so it is refused rather than read as "any status".
    """

    def to_internal_value(self, data: Any) -> Any:
        empty = [
            name
            for name, field in self.fields.items()
            if isinstance(field, serializers.ChoiceField) and name in data and data.get(name) == ""
        ]
        if empty:
            message = "An empty value is not one of the choices; leave the parameter out to not filter by it."
            raise serializers.ValidationError({name: [message] for name in empty})
        return super().to_internal_value(data)

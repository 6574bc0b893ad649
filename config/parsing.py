"""Request input parsed by its serializer: the one way the API layer turns a body or a query into typed values.

A JSON body must carry the JSON types the schema documents: DRF's fields coerce (``0`` becomes ``"0"`` for a
string, ``"5"`` becomes ``5`` for an integer, ``"true"`` a boolean), which the OpenAPI schema does not promise and
a client should not rely on; such a body is a 400 before the serializer sees it.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from rest_framework import serializers

# The field classes whose JSON value has one documented type (subclasses included: EmailField is a CharField).
_JSON_TYPES: tuple[tuple[type[serializers.Field], tuple[type, ...], str], ...] = (
    (serializers.BooleanField, (bool,), "Must be a boolean."),
    (serializers.IntegerField, (int,), "Must be an integer."),
    (serializers.FloatField, (int, float), "Must be a number."),
    (serializers.CharField, (str,), "Must be a string."),
    (serializers.UUIDField, (str,), "Must be a string."),
    (serializers.DateField, (str,), "Must be a string."),
    (serializers.DateTimeField, (str,), "Must be a string."),
)


def parse(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """``data`` validated by ``serializer_class`` (a 400 VALIDATION_ERROR otherwise), as its validated dict."""
    serializer = serializer_class(data=data)
    # A query string has only strings (DRF reads it as a form); a JSON body has the types it was sent with.
    type_errors = None if isinstance(data, QueryDict) else _type_errors(serializer, data)
    if not serializer.is_valid() or type_errors:
        errors = dict(serializer.errors) if isinstance(serializer.errors, dict) else {}
        raise serializers.ValidationError({**errors, **(type_errors or {})} or serializer.errors)
    return dict(serializer.validated_data)


def _type_errors(field: serializers.Field, value: Any) -> Any:
    """The fields of ``value`` whose JSON type is not the documented one, shaped like DRF's errors; None if none.

    Shapes the serializer refuses anyway (a list where an object belongs, a null) are left to it.
    """
    if value is None:
        return None
    if isinstance(field, serializers.ListSerializer | serializers.ListField):
        child = field.child
        if not isinstance(value, list) or child is None:
            return None
        items = [_type_errors(child, item) for item in value]
        return [item or {} for item in items] if any(items) else None
    if isinstance(field, serializers.Serializer):
        if not isinstance(value, dict):
            return None
        errors = {name: _type_errors(child, value[name]) for name, child in field.fields.items() if name in value}
        return {name: error for name, error in errors.items() if error} or None
    for field_class, types, message in _JSON_TYPES:
        if isinstance(field, field_class):
            wrong = not isinstance(value, types) or (isinstance(value, bool) and bool not in types)
            return [message] if wrong else None
    return None

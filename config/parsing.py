"""Request input parsed by its serializer: the one way the API layer turns a body or a query into typed values."""

from typing import Any

from rest_framework import serializers


def parse(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """``data`` validated by ``serializer_class`` (a 400 VALIDATION_ERROR otherwise), as its validated dict."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)

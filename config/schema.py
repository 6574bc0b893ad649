"""The project's OpenAPI generator: every operation also documents the standard error body."""

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "success": serializers.BooleanField(default=False),
        "error": serializers.CharField(help_text="A human-readable message."),
        "code": serializers.CharField(help_text="A stable machine-readable code, e.g. VALIDATION_ERROR."),
        "details": serializers.DictField(help_text="Structured context, e.g. field errors under `fields`."),
    },
)


def conflict(description: str) -> OpenApiResponse:
    """A documented 409: the standard error body, for a state that refuses the operation (``description``)."""
    return OpenApiResponse(ErrorSerializer, description=description)


_ERROR_STATUSES = {
    "400": "Invalid input.",
    "401": "Missing, invalid or expired credentials.",
    "403": "Not allowed in this workspace or for this role.",
    "404": "Not found in this workspace.",
}


# Routes that read S3 answer this when it is down or hung.
STORAGE_UNAVAILABLE_RESPONSE = OpenApiResponse(
    ErrorSerializer, description="S3 unreachable, hung or busy (STORAGE_UNAVAILABLE): nothing changed; see Retry-After."
)


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        error = self._get_response_for_code(ErrorSerializer, "400")
        statuses = dict(_ERROR_STATUSES)
        if self.method in ("POST", "PUT", "PATCH"):
            statuses["413"] = "The body is larger than the configured limit (DJANGO_MAX_REQUEST_BYTES)."
        for status, description in statuses.items():
            if status not in responses:
                responses[status] = {**error, "description": description}
        return responses

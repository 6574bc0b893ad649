"""Domain errors and the one DRF exception handler that renders every ``/api/`` failure.

Every error body has the shape ``{"success": false, "error": "...", "code": "...", "details": {...}}``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from rest_framework import exceptions, status
from rest_framework.response import Response

from config.inputs import excerpt

# Error bodies quote the input they refuse, within these bounds.
MAX_MESSAGE_CHARS = 300
MAX_DETAIL_ITEMS = 50


class ApplicationError(Exception):
    """A domain rule was broken. Services raise it; every surface turns it into a clear 4xx."""

    code: str = "APPLICATION_ERROR"
    http_status: int = status.HTTP_400_BAD_REQUEST
    headers: dict[str, str] | None = None  # response headers (Retry-After)

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status
        self.details = details or {}


class NotFoundError(ApplicationError):
    code = "NOT_FOUND"
    http_status = status.HTTP_404_NOT_FOUND


class PermissionDeniedError(ApplicationError):
    code = "PERMISSION_DENIED"
    http_status = status.HTTP_403_FORBIDDEN


class ConflictError(ApplicationError):
    code = "CONFLICT"
    http_status = status.HTTP_409_CONFLICT


class ValidationFailed(ApplicationError):
    code = "VALIDATION_ERROR"
    http_status = status.HTTP_400_BAD_REQUEST


_DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ValidationError: "VALIDATION_ERROR",
    exceptions.ParseError: "PARSE_ERROR",
    exceptions.AuthenticationFailed: "AUTHENTICATION_FAILED",
    exceptions.NotAuthenticated: "NOT_AUTHENTICATED",
    exceptions.PermissionDenied: "PERMISSION_DENIED",
    exceptions.NotFound: "NOT_FOUND",
    exceptions.MethodNotAllowed: "METHOD_NOT_ALLOWED",
    exceptions.NotAcceptable: "NOT_ACCEPTABLE",
    exceptions.UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
    exceptions.Throttled: "THROTTLED",
}


def _bounded(value: Any) -> Any:
    """Error details with every string (and key) cut to an excerpt: bad input is quoted, never echoed whole."""
    if isinstance(value, str):
        return excerpt(value)
    if isinstance(value, dict):
        return {excerpt(str(key)): _bounded(item) for key, item in list(value.items())[:MAX_DETAIL_ITEMS]}
    if isinstance(value, list | tuple):
        return [_bounded(item) for item in value[:MAX_DETAIL_ITEMS]]
    return value


def error_body(message: str, code: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "success": False,
        "error": excerpt(message, MAX_MESSAGE_CHARS),
        "code": code,
        "details": _bounded(details or {}),
    }


def _drf_code(exc: exceptions.APIException) -> str:
    for exc_class in type(exc).__mro__:
        if exc_class in _DRF_CODES:
            return _DRF_CODES[exc_class]
    return str(exc.default_code).upper()


def first_error_message(fields: dict[str, Any]) -> str:
    """The message of a set of field errors: the first field's first message, prefixed with its path, and
    ``(and N more)`` when N other fields failed too. Nested errors (DRF's dicts and lists) are walked to their first
    message; a path of ``non_field_errors`` or ``""`` is left out."""
    count = len(fields)
    more = f" (and {count - 1} more)" if count > 1 else ""
    return _first_message(fields) + more


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            inner = _first_message(value)
            return inner if field in ("non_field_errors", "") else f"{field}: {inner}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail) if detail else "Invalid input."


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Imported here: rest_framework.views imports DRF settings, which import our authentication classes.
    from rest_framework.views import exception_handler

    if isinstance(exc, ApplicationError):
        # Let DRF's own handler mark the transaction for rollback, then render our shape.
        exception_handler(exceptions.APIException(exc.message), context)
        return Response(error_body(exc.message, exc.code, exc.details), status=exc.http_status, headers=exc.headers)

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        message = first_error_message(detail)
        details: dict[str, Any] = {"fields": detail}
    else:
        message = str(exc.detail) if not isinstance(exc.detail, dict | list) else _first_message(exc.detail)
        details = {}
    response.data = error_body(message, _drf_code(exc), details)
    return response


# Every route under these answers errors in the standard JSON body; the rest are pages with HTML error pages.
JSON_PATH_PREFIXES = ("/api/", "/v3/", "/document.", "/workflow.")


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(JSON_PATH_PREFIXES)


def _error(request: HttpRequest, status_code: int, code: str, message: str, title: str) -> HttpResponse:
    """The standard body on JSON routes, the site's error page (templates/error.html) on pages."""
    if wants_json(request):
        return JsonResponse(error_body(message, code), status=status_code)
    return render(request, "error.html", {"title": title, "message": message}, status=status_code)


def handle_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):  # Django's own bound on form bodies (DATA_UPLOAD_MAX_MEMORY_SIZE)
        return _error(request, 413, "REQUEST_TOO_LARGE", "The request body is too large.", "Request too large")
    message = str(exception) if isinstance(exception, BadRequest) and str(exception) else "Bad request."
    return _error(request, 400, "BAD_REQUEST", message, "Bad request")


def handle_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "PERMISSION_DENIED", "You do not have permission to do this.", "Not allowed")


def handle_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "NOT_FOUND", "Not found.", "Page not found")


def handle_500(request: HttpRequest) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(error_body("Internal server error.", "INTERNAL_ERROR"), status=500)
    # No template context processors: the failure may be in what they read.
    return HttpResponseServerError(loader.get_template("500.html").render())

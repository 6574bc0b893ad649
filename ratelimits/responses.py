"""The 429 answers: the standard error body on API routes, an HTML page on pages; both with Retry-After."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from config.errors import error_body


def too_many_requests(request: HttpRequest, wait: int, *, page: bool) -> HttpResponse:
    response: HttpResponse
    if page:
        response = render(request, "ratelimited.html", {"wait": wait}, status=429)
    else:
        # As DRF's Throttled renders through the API's handler (wrong API keys): the wait is in Retry-After.
        message = f"Request was throttled. Expected available in {wait} seconds."
        response = JsonResponse(error_body(message, "THROTTLED"), status=429)
    response["Retry-After"] = str(wait)
    return response

"""Refusals that hold for every route, before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


class UnstorableUrlMiddleware:
    """A NUL in the path or the query string is a 400 (the handler renders it): no database stores one.

    Django keeps undecodable bytes percent-encoded, so a NUL is the one character a URL can bring in that a
    lookup cannot take.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            raise BadRequest("NUL characters are not allowed in a URL.")
        return self.get_response(request)

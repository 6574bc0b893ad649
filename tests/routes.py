"""Every URL pattern of the URL conf, walked recursively, so a test over routes cannot forget a new one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver

from config.errors import JSON_PATH_PREFIXES

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern, e.g. "api/submissions/<str:submission_id>"; unique, so the key of a route
    name: str  # "namespace:name", or "" for an unnamed pattern
    callback: Any

    @property
    def is_json(self) -> bool:
        return f"/{self.pattern}".startswith(JSON_PATH_PREFIXES)

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.pattern)

    @property
    def methods(self) -> list[str]:
        """The HTTP methods a DRF view answers (GET for a plain Django view)."""
        view_class = getattr(self.callback, "cls", None)
        if view_class is None:
            return ["get"]
        return [method for method in HTTP_METHODS if hasattr(view_class, method)]

    def path(self, **values: str) -> str:
        """The route's path with each parameter replaced by its value, percent-encoded whatever it holds.

        A lone surrogate goes as its raw UTF-8 bytes (``surrogatepass``): the server must refuse it, not the test."""

        def encoded(match: re.Match[str]) -> str:
            return quote(values[match.group(1)], safe="", errors="surrogatepass")

        return "/" + _PARAM.sub(encoded, self.pattern)


def _walk(patterns: list[Any], prefix: str, namespace: str) -> list[Route]:
    routes: list[Route] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            routes += _walk(entry.url_patterns, prefix + str(entry.pattern), inner or "")
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            routes.append(Route(pattern=prefix + str(entry.pattern), name=name, callback=entry.callback))
    return routes


def all_routes() -> list[Route]:
    return _walk(get_resolver().url_patterns, "", "")

"""Rate limits of the token-authenticated routes (public actions and their page, share pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from ratelimits.limits import Hit, client_address, counter_key, rate_for, rate_limit_hit
from ratelimits.responses import too_many_requests

# URL name -> whether it is a page (HTML 429) or an API route (the standard error body).
PUBLIC_ROUTES = {
    "public-action-submit": False,
    "public-action-confirm": False,
    "public-action-page": True,
    "public-action-page-submit": False,
    "revision-uploads": False,
    "revision-confirm": False,
    "submissions:share-page": True,
    **{
        f"submissions:public-form{way}{part}": part == ""
        for way in ("", "-invitation", "-draft")
        for part in ("", "-uploads", "-send")
    },
    "submissions:public-form-sent": True,
}
# What a bad, expired or used token gets; each counts against the address (guessing tokens).
FAILURE_STATUSES = frozenset({401, 403, 404, 410})


class PublicRateLimitMiddleware:
    """Per client address and per token; and an address that keeps sending bad tokens is refused for a while."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None and match.view_name in PUBLIC_ROUTES and response.status_code in FAILURE_STATUSES:
            rate_limit_hit(Hit(counter_key("public_failures", client_address(request)), rate_for("public_failures")))
        return response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.view_name not in PUBLIC_ROUTES:
            return None
        address = client_address(request)
        hits = [
            Hit(counter_key("public_address", address), rate_for("public_address")),
            Hit(counter_key("public_failures", address), rate_for("public_failures"), count=0),
        ]
        if "token" in view_kwargs:  # a public form's open address has no token: its clients share no count
            hits.append(Hit(counter_key("public_token", str(view_kwargs["token"])), rate_for("public_token")))
        wait = rate_limit_hit(*hits)
        if wait is None:
            return None
        return too_many_requests(request, wait, page=PUBLIC_ROUTES[match.view_name])

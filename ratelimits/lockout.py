"""django-axes hooks for the admin login: the client's address as everywhere else, a back-off, our 429 page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse

from ratelimits.limits import client_address
from ratelimits.responses import too_many_requests


def client_ip(request: HttpRequest) -> str | None:
    return client_address(request)


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """AXES_COOLOFF_MINUTES after the limit; doubled for every further AXES_FAILURE_LIMIT failures (at most 32x)."""
    base = timedelta(minutes=settings.AXES_COOLOFF_MINUTES)
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return base
    failures = AccessAttempt.objects.filter(ip_address=address).aggregate(most=Max("failures_since_start"))["most"]
    extra_rounds = max(0, (failures or 0) - settings.AXES_FAILURE_LIMIT) // settings.AXES_FAILURE_LIMIT
    return base * 2 ** min(extra_rounds, 5)


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    return too_many_requests(request, int(cool_off(request).total_seconds()), page=True)

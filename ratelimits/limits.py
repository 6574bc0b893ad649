"""Fixed-window rate limits counted in the database, so every web process and machine shares one count.

One statement per check: an upsert that adds each request to its windows and returns their counts, atomic under
concurrent requests (Django's database cache would need a read, a COUNT(*) and a write per key, and loses hits
when two processes increment at once).
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from ratelimits.models import Counter

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
# One check in this many also deletes the windows that have closed (a flood of random tokens leaves one each).
PRUNE_EVERY = 1000


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


def rate_parse(text: str) -> Rate:
    """``"30/minute"``, ``"5/s"``, ``"100/hour"``."""
    count, _, period = text.partition("/")
    return Rate(limit=int(count), seconds=_PERIODS[period.strip().lower()])


def rate_for(scope: str) -> Rate:
    return rate_parse(settings.RATE_LIMITS[scope])


def client_address(request: HttpRequest | Request) -> str | None:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For as far as RATE_LIMIT_NUM_PROXIES trusted proxies.

    DRF's own rule (its throttles'), which reads only ``request.META``: a Django request does as well. None when the
    request has no address (one built in code, e.g. by the test client's force_login).
    """
    ident = BaseThrottle().get_ident(request)  # type: ignore[arg-type]
    return str(ident) if ident else None


def counter_key(scope: str, ident: str | None) -> str:
    """Idents are hashed: a token or an address is never stored as such."""
    return f"{scope}:{hashlib.sha256((ident or '').encode()).hexdigest()[:40]}"


@dataclass(frozen=True)
class Hit:
    key: str
    rate: Rate
    count: int = 1  # 0 reads a window without adding to it


def rate_limit_hit(*hits: Hit) -> int | None:
    """Count the hits; answer the seconds to wait when any window is over its limit, else None."""
    now = time.time()
    table = connection.ops.quote_name(Counter._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(hits))
    params: list[str | float] = []
    for hit in hits:
        params += [hit.key, hit.count, now + hit.rate.seconds]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, hits, expires) VALUES {values} "
            f"ON CONFLICT (key) DO UPDATE SET "
            f"hits = CASE WHEN {table}.expires > %s THEN {table}.hits + excluded.hits ELSE excluded.hits END, "
            f"expires = CASE WHEN {table}.expires > %s THEN {table}.expires ELSE excluded.expires END "
            f"RETURNING key, hits, expires",
            [*params, now, now],
        )
        windows = {key: (count, expires) for key, count, expires in cursor.fetchall()}
        if random.randrange(PRUNE_EVERY) == 0:
            cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])
    # A read (count 0) asks whether one more request would be over the limit.
    waits = [windows[hit.key][1] - now for hit in hits if windows[hit.key][0] + (hit.count == 0) > hit.rate.limit]
    return max(1, math.ceil(max(waits))) if waits else None

"""The PostgreSQL backend selected in settings when ``DATABASE_URL`` points to PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base, operations

# A connection that ran a query this recently is taken as alive without a health check (HikariCP's
# ``aliveBypassWindowMs`` is 500 ms too).
HEALTH_CHECK_BYPASS_SECONDS = 0.5


class DatabaseOperations(operations.DatabaseOperations):
    compiler_module = "perf.postgresql.compiler"


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's wrapper, with ``CONN_HEALTH_CHECKS`` skipped for a connection used in the last half second.

    With health checks on, Django sends ``SELECT 1`` before the first query of every request that reuses a
    persistent connection: a round trip that was 9% of a public action submit under load. A connection that
    just answered is alive; one idle for longer is still checked, so a restarted database costs no request.
    If it dies within the window, the request's query fails and Django drops the connection at its end.
    """

    ops_class = DatabaseOperations
    _used_at = float("-inf")

    def create_cursor(self, name: Any = None) -> Any:
        self._used_at = time.monotonic()
        return super().create_cursor(name)

    def close_if_health_check_failed(self) -> None:
        recent = time.monotonic() - self._used_at < HEALTH_CHECK_BYPASS_SECONDS
        if self.connection is not None and recent and settings.PERF_HEALTH_CHECK_BYPASS:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

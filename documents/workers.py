"""A background loop as a daemon thread, for ``run_embedded`` (until the task engine runs this work)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)


class LoopWorker(threading.Thread):
    """Runs ``step`` until stopped, waiting ``pause`` seconds after a step that found nothing to do (returned 0)."""

    def __init__(self, name: str, step: Callable[[], int], *, pause: float, stop_timeout: float) -> None:
        super().__init__(name=name, daemon=True)
        self.step = step
        self.pause = pause
        self.stop_timeout = stop_timeout
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop_event.is_set():
                try:
                    if not self.step():
                        self._stop_event.wait(self.pause)
                except Exception:
                    logger.exception("%s: a pass failed; retrying", self.name)
                    self._stop_event.wait(2.0)
                finally:
                    close_old_connections()
        finally:
            connections.close_all()  # this thread's own connections

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=self.stop_timeout)

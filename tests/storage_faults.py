"""S3 faults for tests: an endpoint that accepts connections and never answers, one that refuses them."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings

from documents import s3


@dataclass
class HungEndpoint:
    url: str
    held: list[socket.socket] = field(default_factory=list)  # the connections it accepted


@contextmanager
def hung_endpoint() -> Iterator[HungEndpoint]:
    """A TCP server on 127.0.0.1 that accepts every connection, reads nothing and answers nothing."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.2)
    endpoint = HungEndpoint(f"http://127.0.0.1:{server.getsockname()[1]}")
    held = endpoint.held
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        stop.set()
        thread.join(timeout=2)
        for connection in held:
            connection.close()
        server.close()


def refused_endpoint() -> str:
    """An address on 127.0.0.1 where nothing listens: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@contextmanager
def s3_at(endpoint_url: str) -> Iterator[None]:
    """The process's S3 client talks to ``endpoint_url`` inside the block, and to the suite's S3 again after it."""
    healthy = settings.AWS_S3_ENDPOINT_URL
    settings.AWS_S3_ENDPOINT_URL = endpoint_url
    s3.clear_cached_clients()
    try:
        yield
    finally:
        settings.AWS_S3_ENDPOINT_URL = healthy
        s3.clear_cached_clients()

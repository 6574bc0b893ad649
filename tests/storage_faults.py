"""S3 faults for tests: an endpoint that accepts connections and never answers, one that refuses them, and a proxy
that fails the requests it is told to."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

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


@contextmanager
def failing_proxy(upstream: str, fails: Callable[[str, Mapping[str, str]], bool]) -> Iterator[str]:
    """An HTTP proxy on 127.0.0.1 in front of ``upstream`` (the suite's S3) that answers each request
    ``fails(method, headers)`` picks (header names in lower case) with S3's 503 SlowDown, and passes the others
    through: a fault in the middle of a batch."""
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if fails(self.command, {name.lower(): value for name, value in self.headers.items()}):
                error = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                self.send_response(503)
                self.send_header("Content-Length", str(len(error)))
                self.end_headers()
                self.wfile.write(error)
                return
            connection = http.client.HTTPConnection(target.netloc, timeout=30)
            try:
                connection.request(self.command, self.path, body=body, headers=dict(self.headers))
                answer = connection.getresponse()
                content = answer.read()
            finally:
                connection.close()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _relay

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

"""A small clamd client: INSTREAM over clamd's socket (``unix:///run/clamav/clamd.ctl`` or ``tcp://host:3310``).

The protocol (clamd(8)): send ``zINSTREAM\\0``, then the bytes in chunks, each prefixed by its length as a 4-byte
big-endian integer, then a zero length; clamd answers ``stream: OK`` or ``stream: <signature> FOUND``, NUL-ended.
"""

from __future__ import annotations

import socket
import struct
from typing import IO
from urllib.parse import urlparse

from django.conf import settings

CHUNK_BYTES = 256 * 1024


class ScannerUnavailable(Exception):
    """clamd could not be asked, or it could not answer (the scan is retried later)."""


def clamav_configured() -> bool:
    return bool(settings.CLAMAV_URL)


def _connect() -> socket.socket:
    address = urlparse(settings.CLAMAV_URL)
    timeout = settings.CLAMAV_TIMEOUT_SECONDS
    try:
        if address.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(address.path)
            return sock
        if address.scheme == "tcp" and address.hostname:
            return socket.create_connection((address.hostname, address.port or 3310), timeout=timeout)
    except OSError as exc:
        raise ScannerUnavailable(f"clamd at {settings.CLAMAV_URL} cannot be reached: {exc}") from exc
    raise ScannerUnavailable(f"CLAMAV_URL must be unix:///path or tcp://host:port, not {settings.CLAMAV_URL!r}.")


def clamav_scan(stream: IO[bytes]) -> str | None:
    """The name of the signature clamd finds in ``stream`` (read to its end), or None when it finds none."""
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := stream.read(CHUNK_BYTES):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0") and (received := sock.recv(4096)):
                reply += received
    except OSError as exc:  # a timeout, or clamd closing the connection (e.g. past its StreamMaxLength)
        raise ScannerUnavailable(f"clamd did not answer: {exc}") from exc
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer.endswith(" FOUND"):
        return answer.removeprefix("stream:").removesuffix(" FOUND").strip()
    if answer == "stream: OK":
        return None
    raise ScannerUnavailable(f"clamd answered {answer!r}.")

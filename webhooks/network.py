"""Where a webhook may go, and the one POST that delivers it.

A URL is refused when it carries credentials, is not http(s), or names an address outside the public ranges
(loopback, private, link-local, shared, reserved, multicast; IPv4-mapped IPv6 included), unless
``WEBHOOK_ALLOW_PRIVATE_URLS`` is on. It is checked when the endpoint is saved and again at every delivery:
the name is resolved, every address checked, and the connection made to the checked address itself (the Host
header and TLS name stay the URL's), so a DNS answer that changes between check and connect (rebinding) is no
way in. Redirects are never followed; the whole attempt is bounded by ``WEBHOOK_TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

from webhooks.constants import ERROR_MAX_CHARS, RESPONSE_EXCERPT_CHARS, URL_MAX_LENGTH
from webhooks.errors import UrlRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    netloc: str
    path: str  # with the query string


def url_parse(url: str) -> Target:
    """The parts a delivery needs, or ``UrlRefused`` with the reason in words."""
    if len(url) > URL_MAX_LENGTH:
        raise UrlRefused(f"The URL is longer than {URL_MAX_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(f"The URL is not valid: {exc}.") from exc
    if parts.scheme not in ("http", "https"):
        raise UrlRefused("The URL must start with https:// (or http://).")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("The URL must not carry a user name or password; authenticate with the signature.")
    if not parts.hostname:
        raise UrlRefused("The URL has no host.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default_port = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default_port, parts.netloc, path)


def address_allowed(address: IPAddress) -> bool:
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def resolve(target: Target) -> list[IPAddress]:
    """Every address the host resolves to (``OSError`` when it does not resolve)."""
    literal = _literal(target.host)
    if literal is not None:
        return [literal]
    infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def _refuse_private(target: Target, addresses: list[IPAddress]) -> None:
    refused = [address for address in addresses if not address_allowed(address)]
    if refused:
        raise UrlRefused(
            f"{target.host} resolves to {refused[0]}, a loopback, private or reserved address: deliveries go "
            "only to public addresses.",
            details={"fields": {"url": ["Resolves to a non-public address."]}},
        )


def url_check(url: str) -> Target:
    """The check when an endpoint is saved. A name that does not resolve now is accepted (DNS may be down or not
    set up yet); each delivery checks it again."""
    target = url_parse(url)
    try:
        addresses = resolve(target)
    except OSError:
        return target
    _refuse_private(target, addresses)
    return target


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to. ``retryable``: a timeout, a connection error, 429 or 5xx."""

    status_code: int | None
    latency_ms: int
    error: str = ""
    response_excerpt: str = ""
    retryable: bool = False

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _pool(target: Target, address: IPAddress, timeout: urllib3.Timeout) -> urllib3.HTTPConnectionPool:
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            str(address),
            target.port,
            timeout=timeout,
            retries=False,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    return urllib3.HTTPConnectionPool(str(address), target.port, timeout=timeout, retries=False)


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST ``body`` to the URL's own address (checked now), no redirects, within the timeout."""
    started = time.monotonic()

    def outcome(**values: object) -> Outcome:
        return Outcome(latency_ms=round((time.monotonic() - started) * 1000), **values)  # type: ignore[arg-type]

    try:
        target = url_parse(url)
        addresses = resolve(target)
        _refuse_private(target, addresses)
    except UrlRefused as exc:
        return outcome(status_code=None, error=exc.message[:ERROR_MAX_CHARS])
    except OSError as exc:
        return outcome(status_code=None, error=f"DNS: {exc}"[:ERROR_MAX_CHARS], retryable=True)
    seconds = settings.WEBHOOK_TIMEOUT_SECONDS
    pool = _pool(target, addresses[0], urllib3.Timeout(total=seconds, connect=min(seconds, 3.0)))
    request_headers = {**headers, "Host": target.netloc, "Content-Type": "application/json"}
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers=request_headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = response.read(RESPONSE_EXCERPT_CHARS * 4, decode_content=False)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        # NewConnectionError derives from ConnectTimeoutError: a refused connection is not a timeout.
        timed_out = isinstance(exc, urllib3.exceptions.TimeoutError) and not isinstance(
            exc, urllib3.exceptions.NewConnectionError
        )
        kind = "Timed out" if timed_out else "Connection failed"
        return outcome(status_code=None, error=f"{kind}: {exc}"[:ERROR_MAX_CHARS], retryable=True)
    finally:
        pool.close()
    status = response.status
    text = excerpt.decode("utf-8", "replace")[:RESPONSE_EXCERPT_CHARS]
    error = f"Redirect to {response.headers.get('Location', '')!r} not followed" if 300 <= status < 400 else ""
    return outcome(
        status_code=status,
        response_excerpt=text,
        error=error[:ERROR_MAX_CHARS],
        retryable=status == 429 or status >= 500,
    )

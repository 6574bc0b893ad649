"""The production server (gunicorn, 2 workers, DEBUG off): limits counted across workers, HTTPS-only defaults,
and no secret in its logs."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.ops.production import Gunicorn

ADDRESS_LIMIT = 10


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    with Gunicorn(
        tmp_path_factory.mktemp("gunicorn"),
        WEB_CONCURRENCY="2",
        # One request at a time per worker: concurrent clients are served by both workers.
        GUNICORN_WORKER_CLASS="sync",
        DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        RATE_LIMIT_PUBLIC_PER_ADDRESS=f"{ADDRESS_LIMIT}/minute",
        RATE_LIMIT_PUBLIC_FAILURES_PER_ADDRESS="1000/minute",
        RATE_LIMIT_API_KEY_FAILURES_PER_ADDRESS="3/minute",
    ) as gunicorn:
        yield gunicorn


HTTPS = {"X-Forwarded-Proto": "https"}


def _access_lines(server: Gunicorn, needle: str) -> list[str]:
    return [line for line in server.log.read_text().splitlines() if needle in line and " pid=<" in line]


def test_the_address_limit_holds_across_both_workers(server: Gunicorn) -> None:
    tokens = [f"flood-token-{n:03d}-{'x' * 30}" for n in range(40)]

    def submit(token: str) -> int:
        url = f"{server.url}/v3/public/actions/{token}"
        return requests.post(url, json={}, headers=HTTPS, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = Counter(pool.map(submit, tokens))

    # Exactly the limit got through (to be told the token is bad), the rest were refused, whichever worker served.
    assert answers == {401: ADDRESS_LIMIT, 429: 40 - ADDRESS_LIMIT}
    server.log_once(*(f"/v3/public/actions/{token} HTTP/1.1" for token in tokens))
    lines = _access_lines(server, "/v3/public/actions/")
    assert {re.findall(r" pid=<(\d+)>", line)[0] for line in lines} == server.worker_pids()


def test_wrong_api_keys_are_throttled_across_workers(server: Gunicorn) -> None:
    def call(n: int) -> int:
        headers = {**HTTPS, "X-API-KEY": f"sk_wrong_{n}"}
        return requests.get(f"{server.url}/api/submissions", headers=headers, timeout=30).status_code

    answers = [call(n) for n in range(6)]
    assert answers == [401, 401, 401, 429, 429, 429]


def test_https_only_off_debug(server: Gunicorn) -> None:
    plain = requests.get(f"{server.url}/admin/login/", allow_redirects=False, timeout=30)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")

    page = requests.get(f"{server.url}/admin/login/", headers=HTTPS, timeout=30)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    cookie = page.headers["Set-Cookie"]
    assert "csrftoken=" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_tokens_and_api_keys_never_reach_the_logs(server: Gunicorn) -> None:
    token = "SECRETTOKEN" + "q" * 32
    api_key = "sk_SECRETKEY" + "k" * 30
    requests.post(f"{server.url}/v3/public/actions/{token}/confirm", headers=HTTPS, timeout=30)
    requests.get(f"{server.url}/actions/{token}", headers=HTTPS, timeout=30)
    requests.get(f"{server.url}/share/{token}/", headers=HTTPS, timeout=30)
    requests.get(f"{server.url}/api/submissions?api_key={api_key}", headers={**HTTPS, "X-API-KEY": api_key}, timeout=30)
    requests.get(f"{server.url}/admin/", headers={**HTTPS, "Referer": f"https://x/actions/{token}"}, timeout=30)

    log = server.log_once("api_key=sk_[redacted]", '/admin/ HTTP/1.1"', "/share/[redacted]/ HTTP/1.1")
    assert "SECRETTOKEN" not in log and "SECRETKEY" not in log
    # The lines are there, redacted: access lines and Django's request warnings alike.
    assert _access_lines(server, "/actions/[redacted]")
    assert "/v3/public/actions/[redacted]/confirm" in log
    # django.request's warning (the address is over its limit by now: "Too Many Requests: ...").
    assert re.search(r"(Not Found|Too Many Requests): /share/\[redacted\]/", log)
    assert "api_key=sk_[redacted]" in log

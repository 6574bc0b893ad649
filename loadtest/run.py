"""The whole public action flow (submit, upload to S3, confirm) for a fixed number of clients, against gunicorn
with the production settings, from this second process; at the same time one address floods the token routes
with bad tokens. Loopback only, bounded in count and time.

Passes when every honest flow completes with no error and no 429, and the flood is refused with 429s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests

from loadtest.servers import free_port, gunicorn, s3_emulator

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FLOOD_ADDRESS = "203.0.113.66"


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"submit": [], "upload": [], "confirm": []})
    errors: list[str] = field(default_factory=list)
    flood: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, step: str, started: float, response: requests.Response, expected: int) -> bool:
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[step].append(elapsed)
            if response.status_code != expected:
                self.errors.append(f"{step}: {response.status_code} {response.text[:200]}")
                return False
        return True


def _environment(database_url: str, s3_port: int, tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP over loopback: there is no TLS proxy in front here.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        # Each simulated client names its address in X-Forwarded-For, as a load balancer in front would.
        "RATE_LIMIT_NUM_PROXIES": "1",
        "DATABASE_URL": database_url,
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "AWS_STORAGE_BUCKET_NAME": "intake-load",
        "AWS_ACCESS_KEY_ID": "load",
        "AWS_SECRET_ACCESS_KEY": "load",
        "DOCUMENT_EVENTS_QUEUE_URL": "",
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "WARNING",
    }


def _fresh_postgres_database(database_url: str) -> None:
    import psycopg

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _prepare(count: int) -> list[str]:
    """Migrate, create the bucket and `count` public actions (the demo's forms); answer their tokens."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from documents import s3

    call_command("migrate", "--noinput", verbosity=0)
    s3.ensure_bucket()
    call_command("seed_demo", stdout=StringIO())
    tokens = []
    for _ in range(count):
        out = StringIO()
        call_command("demo_public_action", stdout=out)
        tokens.append(re.findall(r"/actions/(\S+)", out.getvalue())[0])
    connections.close_all()
    return tokens


def _flow(base: str, token: str, address: str, session: requests.Session, results: Results) -> None:
    headers = {"X-Forwarded-For": address}
    body = {"first_name": "Jane", "last_name": "Doe", "date_of_birth": "1990-01-01", "id_document": "passport.pdf"}
    started = time.perf_counter()
    response = session.post(f"{base}/v3/public/actions/{token}", json=body, headers=headers, timeout=30)
    if not results.record("submit", started, response, 200):
        return
    for upload in response.json()["fileUploads"]:
        started = time.perf_counter()
        files = {"file": (upload["fileName"], PDF, "application/pdf")}
        stored = requests.post(upload["url"], data=upload["fields"], files=files, timeout=30)
        if not results.record("upload", started, stored, 204):
            return
    started = time.perf_counter()
    response = session.post(f"{base}/v3/public/actions/{token}/confirm", headers=headers, timeout=30)
    if results.record("confirm", started, response, 200) and response.json() != {"status": "completed"}:
        results.errors.append(f"confirm: {response.text[:200]}")


def _client(base: str, index: int, tokens: list[str], results: Results, deadline: float) -> None:
    address = f"10.0.{index // 250}.{index % 250 + 1}"
    with requests.Session() as session:
        for token in tokens:
            if time.monotonic() > deadline:
                results.errors.append(f"client {index}: out of time")
                return
            _flow(base, token, address, session, results)


def _flood(base: str, count: int, results: Results) -> None:
    with requests.Session() as session:
        for _ in range(count):
            url = f"{base}/v3/public/actions/{secrets.token_urlsafe(32)}"
            status = session.post(url, json={}, headers={"X-Forwarded-For": FLOOD_ADDRESS}, timeout=30).status_code
            results.flood[status] += 1


def _ms(values: list[float], quantile: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] * 1000, 1) if ordered else 0.0


def _summary(results: Results, seconds: float, flows: int, completed: int) -> dict[str, Any]:
    every = [value for values in results.latencies.values() for value in values]
    return {
        "flows": flows,
        "completed": completed,
        "requests": len(every),
        "errors": len(results.errors),
        "seconds": round(seconds, 2),
        "flows_per_second": round(completed / seconds, 1),
        "requests_per_second": round(len(every) / seconds, 1),
        "steps": {
            step: {"count": len(values), "p50_ms": _ms(values, 0.5), "p99_ms": _ms(values, 0.99)}
            for step, values in {**results.latencies, "all": every}.items()
        },
        "flood": {str(status): count for status, count in sorted(results.flood.items())},
        "first_errors": results.errors[:5],
    }


def _completed_actions() -> int:
    from workflows.constants import PublicActionStatus
    from workflows.models import PublicAction

    return PublicAction.objects.filter(status=PublicActionStatus.COMPLETED).count()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest", description=__doc__)
    parser.add_argument("--clients", type=int, default=8, help="Concurrent honest clients, each its own address.")
    parser.add_argument("--flows", type=int, default=25, help="Public actions each client completes.")
    parser.add_argument("--flood", type=int, default=300, help="Bad-token requests from one address meanwhile.")
    parser.add_argument("--database-url", default="", help="A PostgreSQL database to recreate; default SQLite.")
    parser.add_argument("--max-seconds", type=float, default=120, help="Stop the clients after this long.")
    parser.add_argument("--output", default="loadtest-results.json")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="loadtest-") as tmp_name:
        tmp = Path(tmp_name)
        database_url = args.database_url or f"sqlite:///{tmp / 'db.sqlite3'}"
        if database_url.startswith("postgres"):
            _fresh_postgres_database(database_url)
        s3_port, web_port = free_port(), free_port()
        env = _environment(database_url, s3_port, tmp)
        os.environ.update(env)
        with s3_emulator(s3_port, tmp):
            flows = args.clients * args.flows
            tokens = _prepare(flows)
            seeded = _completed_actions()  # the demo data's own (seed_demo completes one to add its parties)
            with gunicorn(web_port, env, tmp) as server:
                base = f"http://127.0.0.1:{web_port}"
                results = Results()
                deadline = time.monotonic() + args.max_seconds
                started = time.perf_counter()
                with ThreadPoolExecutor(max_workers=args.clients + 1) as pool:
                    flood = pool.submit(_flood, base, args.flood, results)
                    clients = [
                        pool.submit(_client, base, n, tokens[n :: args.clients], results, deadline)
                        for n in range(args.clients)
                    ]
                    for future in [*clients, flood]:
                        future.result()
                seconds = time.perf_counter() - started
                summary = _summary(results, seconds, flows, _completed_actions() - seeded)
                assert server.log.exists()
    summary["database"] = "postgresql" if database_url.startswith("postgres") else "sqlite"
    Path(args.output).write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    honest_refused = sum("429" in error for error in results.errors)
    ok = not results.errors and summary["completed"] == flows and results.flood[429] > 0 and not honest_refused
    print("load test:", "passed" if ok else "FAILED", file=sys.stderr)
    return 0 if ok else 1

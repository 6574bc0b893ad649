"""PostgreSQL connections: repeated statements are prepared, and a persistent connection that died while idle
is replaced before the next request instead of failing it."""

from __future__ import annotations

import psycopg
import pytest
from django.db import close_old_connections, connection
from rest_framework.test import APIClient

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres() -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://... (these tests must not skip)"


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _terminate(pid: int) -> None:
    """End a session from another connection, as a database restart or an idle timeout would."""
    params = connection.get_connection_params()
    conninfo = {key: params[key] for key in ("dbname", "user", "password", "host", "port") if params.get(key)}
    with psycopg.connect(**conninfo, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_that_died_while_idle_is_replaced_before_the_next_request(api_client: APIClient) -> None:
    assert api_client.get("/api/submissions").status_code == 200
    dead = _backend_pid()
    _terminate(dead)
    close_old_connections()  # what Django runs when a request starts (the test client leaves it out)

    response = api_client.get("/api/submissions")

    assert response.status_code == 200, response.content
    assert _backend_pid() != dead


def test_a_statement_run_five_times_is_prepared(api_client: APIClient) -> None:
    for _ in range(6):
        assert api_client.get("/api/submissions").status_code == 200

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] > 0

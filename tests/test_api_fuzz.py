"""Property-based: no operation of the OpenAPI schema answers 500, whatever input it is sent."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from config.wsgi import application
from workspaces.services import api_key_create


@pytest.fixture
def keep_test_connection():
    """Requests go straight to the WSGI app; like Django's test client, keep the test's transaction open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_input_makes_the_server_fail(workspace, keep_test_connection):
    _, raw_key = api_key_create(workspace=workspace, name="fuzz", acting_user=None)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) > 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def check(case):
            response = case.call(headers={"X-API-KEY": raw_key})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}")

        check()

    assert not failures, "\n".join(sorted(set(failures))[:20])

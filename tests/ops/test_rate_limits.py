"""Rate limits on the token routes and on API keys, and the admin login lockout (in-process; the count across
gunicorn workers is proven in test_rate_limits_gunicorn.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.workflows.public_action_support import SEED_ROOT_BODY, make_action, submit_url
from workflows.models import PublicAction
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings: Any) -> dict[str, str]:
    settings.RATE_LIMITS = {
        "public_address": "12/minute",
        "public_token": "4/minute",
        "public_failures": "3/minute",
        "api_key_failures": "3/minute",
    }
    return settings.RATE_LIMITS


def _assert_throttled_json(response: Any) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    body = response.json()
    assert body["success"] is False and body["code"] == "THROTTLED"
    assert body["error"] == f"Request was throttled. Expected available in {response['Retry-After']} seconds."


def test_bad_tokens_lock_the_address_out_of_every_token_route(limits: Any, workspace: Workspace) -> None:
    _, token = make_action(workspace)
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    for attempt in range(3):
        assert client.post(submit_url(f"guess-{attempt}"), {}, format="json").status_code == 401

    _assert_throttled_json(client.post(submit_url("guess-4"), {}, format="json"))
    # Locked out of the real token too, and of the pages (an HTML 429 there).
    _assert_throttled_json(client.post(submit_url(token), SEED_ROOT_BODY, format="json"))
    page = Client(REMOTE_ADDR="203.0.113.7").get(reverse("public-action-page", args=[token]))
    assert page.status_code == 429 and "Too many requests" in page.content.decode() and page["Retry-After"]
    assert PublicAction.objects.get().status == "OPEN"  # nothing was written
    # Another client is not affected.
    other = APIClient(REMOTE_ADDR="198.51.100.2")
    assert other.post(submit_url(token), SEED_ROOT_BODY, format="json").status_code == 200


def test_one_token_is_limited_whoever_sends_it(limits: Any, workspace: Workspace) -> None:
    _, token = make_action(workspace)
    url = reverse("public-action-page", args=[token])
    for index in range(4):
        assert Client(REMOTE_ADDR=f"192.0.2.{index}").get(url).status_code == 200
    assert Client(REMOTE_ADDR="192.0.2.99").get(url).status_code == 429


def test_one_address_is_limited_across_tokens(limits: Any, workspace: Workspace) -> None:
    tokens = [make_action(workspace)[1] for _ in range(4)]
    client = Client(REMOTE_ADDR="192.0.2.50")
    answers = [client.get(reverse("public-action-page", args=[token])).status_code for token in tokens * 3]
    assert answers == [200] * 12
    assert client.get(reverse("public-action-page", args=[tokens[0]])).status_code == 429


def test_behind_a_proxy_the_forwarded_address_is_the_client(limits: Any, settings: Any, workspace: Workspace) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = APIClient(REMOTE_ADDR="10.0.0.1")  # the load balancer
    for attempt in range(3):
        client.post(submit_url(f"guess-{attempt}"), {}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.9")
    flooded = client.post(submit_url("guess"), {}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert flooded.status_code == 429
    honest = client.post(submit_url("guess"), {}, format="json", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert honest.status_code == 401


def test_wrong_api_keys_get_429_after_the_limit(limits: Any, api_client: APIClient) -> None:
    client = APIClient(REMOTE_ADDR="203.0.113.20")
    for attempt in range(3):
        response = client.get(reverse("submission-list"), HTTP_X_API_KEY=f"sk_wrong_{attempt}")
        assert response.status_code == 401
    _assert_throttled_json(client.get(reverse("submission-list"), HTTP_X_API_KEY="sk_wrong_4"))
    # A valid key is not refused: only failures are counted, and a good key never is one.
    assert api_client.get(reverse("submission-list"), REMOTE_ADDR="203.0.113.20").status_code == 200


def test_admin_login_locks_out_with_back_off(settings: Any) -> None:
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_MINUTES = 1
    User.objects.create_superuser("operator", "operator@example.com", "right-password")
    client = Client(REMOTE_ADDR="203.0.113.30")
    login = reverse("admin:login")

    def attempt(password: str) -> Any:
        return client.post(login, {"username": "operator", "password": password, "next": "/admin/"})

    assert [attempt(f"wrong-{n}").status_code for n in range(2)] == [200, 200]  # the form again, with an error
    locked = attempt("wrong-3")
    assert locked.status_code == 429 and locked["Retry-After"] == "60"
    # Locked: the right password is refused too.
    assert attempt("right-password").status_code == 429
    for n in range(3):
        attempt(f"again-{n}")
    assert int(attempt("right-password")["Retry-After"]) > 60  # the back-off grew
    # Another address logs in (the lock is per username and address).
    other = Client(REMOTE_ADDR="198.51.100.30")
    response = other.post(login, {"username": "operator", "password": "right-password", "next": "/admin/"})
    assert response.status_code == 302

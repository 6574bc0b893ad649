"""Retries with exponential back-off against a receiver that fails N times, driven step by step: each due
delivery is queued by the beat sweep (run here in the test), so no test waits for a clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from submissions.models import FormVersion
from tests.webhooks.receiver import Receiver
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import retry_delay, webhook_deliveries_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def submit(
    admin_client: APIClient, form_version: FormVersion, django_capture_on_commit_callbacks: Any
) -> Callable[[], None]:
    def run() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            body = {"formId": form_version.form.public_id, "data": {"full_name": "Retry"}}
            assert admin_client.post(reverse("submission-list"), body, format="json").status_code == 201

    return run


def _make_due(delivery: WebhookDelivery) -> None:
    """The clock reaching the delivery's next attempt."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def _sweep(django_capture_on_commit_callbacks: Any) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return webhook_deliveries_sweep()


def test_a_receiver_failing_three_times_is_retried_with_back_off_until_it_answers(
    receiver: Receiver,
    endpoint_for: Callable[..., dict[str, Any]],
    submit: Callable[[], None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    endpoint = endpoint_for(receiver.url)
    receiver.answers = [(503, "down for maintenance", 0.0), (500, "boom", 0.0), (429, "slow down", 0.0)]
    submit()
    delivery = WebhookDelivery.objects.get()
    for expected_attempts in (1, 2, 3):
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("PENDING", expected_attempts)
        assert delivery.next_attempt_at is not None
        wait = delivery.next_attempt_at - timezone.now()
        expected = retry_delay(expected_attempts).total_seconds()
        assert expected - 5 < wait.total_seconds() <= expected  # 30 s, 60 s, 120 s
        assert _sweep(django_capture_on_commit_callbacks) == 0  # not due yet: nothing is sent early
        _make_due(delivery)
        assert _sweep(django_capture_on_commit_callbacks) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("DELIVERED", 4, 200)
    assert len(set(receiver.ids())) == 1 and len(receiver.requests) == 4  # the same event id every time
    assert len({request.body for request in receiver.requests}) == 1  # and the same bytes
    assert WebhookEndpoint.objects.get(public_id=endpoint["id"]).failing_since is None  # a success ends the streak


def test_the_delivery_log_shows_each_attempt(
    admin_client: APIClient,
    receiver: Receiver,
    endpoint_for: Callable[..., dict[str, Any]],
    submit: Callable[[], None],
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    endpoint = endpoint_for(receiver.url)
    receiver.answers = [(503, "x" * 2000, 0.0)]
    submit()
    _make_due(WebhookDelivery.objects.get())
    _sweep(django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(6):
        response = admin_client.get(reverse("webhook-attempt-list", args=[endpoint["id"]]))
    assert response.status_code == 200
    attempts = response.json()["attempts"]
    assert [(a["attempt"], a["statusCode"], a["succeeded"]) for a in attempts] == [(2, 200, True), (1, 503, False)]
    assert attempts[1]["responseExcerpt"] == "x" * 500  # an excerpt, not the whole answer
    assert all(isinstance(a["latencyMs"], int) and a["eventType"] == "submission.created" for a in attempts)
    deliveries = admin_client.get(reverse("webhook-delivery-list", args=[endpoint["id"]]), {"status": "DELIVERED"})
    assert [d["attempts"] for d in deliveries.json()["deliveries"]] == [2]


def test_the_back_off_doubles_and_gives_up_after_about_a_day(settings: Any) -> None:
    delays = [retry_delay(n).total_seconds() for n in range(1, 16)]
    assert delays[:5] == [30, 60, 120, 240, 480]
    assert max(delays) == settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS == 6 * 3600
    # The schedule a failing delivery follows: attempts while the next one stays within the day's window.
    elapsed, attempts = 0.0, 1
    while elapsed + retry_delay(attempts).total_seconds() <= settings.WEBHOOK_RETRY_WINDOW_SECONDS:
        elapsed += retry_delay(attempts).total_seconds()
        attempts += 1
    assert 20 * 3600 < elapsed <= 24 * 3600 and attempts == 13


@pytest.mark.parametrize(
    ("answer", "status", "retried"),
    [((400, "bad", 0.0), 400, False), ((302, "", 0.0), 302, False), ((404, "", 0.0), 404, False)],
)
def test_a_client_error_or_a_redirect_is_not_retried(
    receiver: Receiver,
    endpoint_for: Callable[..., dict[str, Any]],
    submit: Callable[[], None],
    answer: tuple[int, str, float],
    status: int,
    retried: bool,
) -> None:
    endpoint_for(receiver.url)
    receiver.answers = [answer]
    receiver.extra_headers = {"Location": "http://127.0.0.1:1/elsewhere"} if status == 302 else {}
    submit()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("FAILED", status)
    assert len(receiver.requests) == 1  # a redirect is not followed
    if status == 302:
        assert "not followed" in delivery.last_error


def test_a_timeout_and_a_refused_connection_are_retried(
    settings: Any, receiver: Receiver, endpoint_for: Callable[..., dict[str, Any]], submit: Callable[[], None]
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    endpoint_for(receiver.url)
    endpoint_for("http://127.0.0.1:1/nobody-listens")
    receiver.answers = [(200, "too late", 3.0)]
    submit()
    slow, refused = WebhookDelivery.objects.order_by("endpoint_id")
    assert (slow.status, slow.last_status_code) == ("PENDING", None)
    assert slow.last_error.startswith("Timed out")
    assert slow.next_attempt_at is not None and slow.next_attempt_at > timezone.now()
    assert (refused.status, refused.last_error.startswith("Connection failed")) == ("PENDING", True)


def test_a_delivery_failing_past_the_window_fails_and_an_endpoint_failing_for_a_day_is_disabled(
    admin_client: APIClient,
    receiver: Receiver,
    endpoint_for: Callable[..., dict[str, Any]],
    submit: Callable[[], None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    answer = endpoint_for(receiver.url)
    receiver.answers = [(503, "", 0.0)] * 2
    submit()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.failing_since is not None and endpoint.is_active
    delivery = WebhookDelivery.objects.get()
    day_ago = timezone.now() - timedelta(hours=25)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(series_started_at=day_ago)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=day_ago)
    _make_due(delivery)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_deliveries_sweep()
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == "FAILED" and delivery.next_attempt_at is None
    assert not endpoint.is_active and "failed for 25 hours" in endpoint.disabled_reason
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"] and answer["url"] in message.body
    row = AuditEvent.objects.get(action="webhook_endpoint_disabled")
    assert row.target_id == answer["id"] and row.actor_label == "webhook delivery"

    # Disabled: no new event is recorded for it; enabled again (the streak cleared), the failed one is replayed.
    submit()
    assert WebhookDelivery.objects.count() == 1 and len(receiver.requests) == 2
    response = admin_client.patch(
        reverse("webhook-endpoint-detail", args=[answer["id"]]), {"isActive": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["failingSince"] is None
    with django_capture_on_commit_callbacks(execute=True):
        replayed = admin_client.post(reverse("webhook-endpoint-replay", args=[answer["id"]]))
    assert replayed.json() == {"replayed": 1}
    delivery.refresh_from_db()
    assert delivery.status == "DELIVERED" and len(receiver.requests) == 3

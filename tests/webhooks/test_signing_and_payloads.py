"""Deliveries are signed per Standard Webhooks (checked by the scheme written again from the specification in
``receiver.verify``) and carry the object's state at the time of the event."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from submissions.models import FormVersion
from tests.webhooks.receiver import Receiver, verify
from webhooks.models import WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db


def _submit(client: APIClient, form_version: FormVersion, name: str) -> str:
    body = {"formId": form_version.form.public_id, "data": {"full_name": name}}
    response = client.post(reverse("submission-list"), body, format="json")
    assert response.status_code == 201, response.json()
    return str(response.json()["id"])


def test_a_delivery_is_signed_and_carries_the_state_at_the_event(
    admin_client: APIClient,
    form_version: FormVersion,
    receiver: Receiver,
    endpoint_for: Callable[..., dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    endpoint = endpoint_for(receiver.url, ["submission.created", "submission.updated", "submission.status_changed"])
    secret = endpoint["secret"]
    assert secret.startswith("whsec_")
    with django_capture_on_commit_callbacks(execute=True):
        submission_id = _submit(admin_client, form_version, "Ada Lovelace")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.patch(
            reverse("submission-detail", args=[submission_id]), {"data": {"full_name": "Ada King"}}, format="json"
        )
        assert response.status_code == 200, response.json()

    assert len(receiver.requests) == 3  # created; then updated and COMPLETED -> EDITED
    bodies = [json.loads(request.body) for request in receiver.requests]
    for request in receiver.requests:
        assert verify(secret, request.headers, request.body)
        assert not verify("whsec_" + "A" * 32, request.headers, request.body)
        assert request.headers["content-type"] == "application/json"
        assert request.path == "/hooks"
    created, updated, status_changed = bodies
    assert created["type"] == "submission.created"
    assert created["data"]["id"] == submission_id
    assert created["data"]["data"] == {"full_name": "Ada Lovelace"}  # as it was then, not as it is now
    assert created["data"]["status"] == "COMPLETED"
    assert updated["type"] == "submission.updated" and updated["data"]["data"] == {"full_name": "Ada King"}
    assert status_changed["type"] == "submission.status_changed"
    assert (status_changed["data"]["previousStatus"], status_changed["data"]["status"]) == ("COMPLETED", "EDITED")
    # The webhook-id is the event's id (what receivers de-duplicate on), one per event.
    ids = receiver.ids()
    assert len(set(ids)) == 3 and all(value.startswith("msg_") for value in ids)
    assert set(WebhookEvent.objects.values_list("public_id", flat=True)) == set(ids)

    # The secret is shown once: never in a read.
    read = admin_client.get(reverse("webhook-endpoint-detail", args=[endpoint["id"]])).json()
    assert "secret" not in read and secret not in json.dumps(read)


def test_a_tampered_body_or_an_old_timestamp_fails_verification(
    admin_client: APIClient,
    form_version: FormVersion,
    receiver: Receiver,
    endpoint_for: Callable[..., dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    secret = endpoint_for(receiver.url)["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        _submit(admin_client, form_version, "Grace")
    (request,) = receiver.requests
    assert verify(secret, request.headers, request.body)
    assert not verify(secret, request.headers, request.body.replace(b"Grace", b"Gracy"))
    old = {**request.headers, "webhook-timestamp": str(int(request.headers["webhook-timestamp"]) - 3600)}
    assert not verify(secret, old, request.body)


def test_rotation_signs_with_both_secrets_during_the_overlap(
    admin_client: APIClient,
    form_version: FormVersion,
    receiver: Receiver,
    endpoint_for: Callable[..., dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    endpoint = endpoint_for(receiver.url)
    old_secret = endpoint["secret"]
    rotated = admin_client.post(
        reverse("webhook-endpoint-rotate-secret", args=[endpoint["id"]]), {"overlapHours": 2}, format="json"
    )
    assert rotated.status_code == 200, rotated.json()
    new_secret = rotated.json()["secret"]
    assert new_secret != old_secret and rotated.json()["previousSecretExpiresAt"]
    with django_capture_on_commit_callbacks(execute=True):
        _submit(admin_client, form_version, "During overlap")
    request = receiver.requests[-1]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert verify(old_secret, request.headers, request.body)
    assert verify(new_secret, request.headers, request.body)

    # Without an overlap the old secret stops signing at once.
    rotated = admin_client.post(
        reverse("webhook-endpoint-rotate-secret", args=[endpoint["id"]]), {"overlapHours": 0}, format="json"
    )
    newest = rotated.json()["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        _submit(admin_client, form_version, "After")
    request = receiver.requests[-1]
    assert len(request.headers["webhook-signature"].split(" ")) == 1
    assert verify(newest, request.headers, request.body)
    assert not verify(new_secret, request.headers, request.body)


def test_only_subscribed_types_are_recorded_and_a_rolled_back_change_sends_nothing(
    admin_client: APIClient,
    form_version: FormVersion,
    receiver: Receiver,
    endpoint_for: Callable[..., dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    endpoint_for(receiver.url, ["workflow.completed"])
    with django_capture_on_commit_callbacks(execute=True):
        _submit(admin_client, form_version, "Nobody listens")
        bad = admin_client.post(
            reverse("submission-list"), {"formId": form_version.form.public_id, "data": {}}, format="json"
        )
    assert bad.status_code == 400
    assert WebhookEvent.objects.count() == 0 and WebhookDelivery.objects.count() == 0
    assert receiver.requests == []

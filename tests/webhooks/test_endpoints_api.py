"""Managing endpoints through the API: ADMIN/OWNER only, bad input refused with nothing written, every change
audited, and URLs on loopback or private ranges refused (at creation and, against DNS rebinding, at delivery)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from submissions.models import FormVersion
from submissions.services import submission_create
from tests.webhooks.receiver import Receiver
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_create
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

LIST = "webhook-endpoint-list"
URL = "https://hooks.example.com/intake"
BODY: dict[str, Any] = {"url": URL, "eventTypes": ["submission.created"]}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER])
def test_viewers_and_members_are_refused_every_route(
    workspace: Workspace, api_client_for: Callable[..., APIClient], member_of: Callable[..., Any], role: Role
) -> None:
    endpoint, _ = webhook_endpoint_create(
        workspace=workspace, url=URL, event_types=["submission.created"], acting_user=None
    )
    client = api_client_for(workspace, user=member_of(workspace, role))
    calls = [
        ("get", reverse(LIST)),
        ("post", reverse(LIST)),
        ("get", reverse("webhook-endpoint-detail", args=[endpoint.public_id])),
        ("patch", reverse("webhook-endpoint-detail", args=[endpoint.public_id])),
        ("delete", reverse("webhook-endpoint-detail", args=[endpoint.public_id])),
        ("post", reverse("webhook-endpoint-rotate-secret", args=[endpoint.public_id])),
        ("get", reverse("webhook-delivery-list", args=[endpoint.public_id])),
        ("get", reverse("webhook-attempt-list", args=[endpoint.public_id])),
        ("post", reverse("webhook-endpoint-replay", args=[endpoint.public_id])),
    ]
    for method, url in calls:
        response = getattr(client, method)(url, BODY, format="json")
        assert response.status_code == 403, (method, url)
        assert response.json()["code"] == "INSUFFICIENT_ROLE" and response.json()["success"] is False
    assert WebhookEndpoint.objects.count() == 1
    assert (
        not AuditEvent.objects.filter(action__startswith="webhook_").exclude(action="webhook_endpoint_created").exists()
    )


def test_an_owner_manages_endpoints_and_every_change_is_audited(owner_client: APIClient) -> None:
    created = owner_client.post(reverse(LIST), {**BODY, "description": "CRM"}, format="json")
    assert created.status_code == 201
    endpoint = created.json()
    assert endpoint["eventTypes"] == ["submission.created"] and endpoint["isActive"] is True
    detail = reverse("webhook-endpoint-detail", args=[endpoint["id"]])
    changed = owner_client.patch(
        detail, {"eventTypes": ["document.accepted", "document.rejected"], "isActive": False}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["isActive"] is False
    assert owner_client.patch(detail, {"isActive": False}, format="json").status_code == 200  # no change: no row
    assert owner_client.post(reverse("webhook-endpoint-rotate-secret", args=[endpoint["id"]])).status_code == 200
    listed = owner_client.get(reverse(LIST)).json()["endpoints"]
    assert [e["id"] for e in listed] == [endpoint["id"]] and "secret" not in listed[0]
    assert owner_client.delete(detail).status_code == 204
    assert owner_client.get(detail).status_code == 404
    rows = list(AuditEvent.objects.filter(target_id=endpoint["id"]).order_by("id"))
    assert [row.action for row in rows] == [
        "webhook_endpoint_created",
        "webhook_endpoint_updated",
        "webhook_secret_rotated",
        "webhook_endpoint_deleted",
    ]
    assert rows[0].actor_label == "olivia-owner" and rows[0].details["url"] == BODY["url"]
    assert rows[1].details["changed"] == ["event_types", "is_active"]
    assert rows[2].details == {"url": BODY["url"], "overlapHours": 24}
    assert all(endpoint["secret"] not in str(row.details) for row in rows)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://hooks.example.com/x", "eventTypes": []}, "eventTypes"),
        ({"url": "https://hooks.example.com/x", "eventTypes": ["submission.deleted"]}, "eventTypes"),
        ({"url": "https://hooks.example.com/x", "eventTypes": "submission.created"}, "eventTypes"),
        ({"eventTypes": ["submission.created"]}, "url"),
        ({"url": 5, "eventTypes": ["submission.created"]}, "url"),
        ({"url": "https://" + "a" * 2100 + ".com/", "eventTypes": ["submission.created"]}, "url"),
    ],
)
def test_bad_input_is_a_400_and_writes_nothing(api_client: APIClient, body: dict[str, Any], field: str) -> None:
    response = api_client.post(reverse(LIST), body, format="json")
    assert response.status_code == 400
    answer = response.json()
    assert answer["success"] is False and answer["code"] == "VALIDATION_ERROR" and field in answer["details"]["fields"]
    assert WebhookEndpoint.objects.count() == 0 and not AuditEvent.objects.filter(action__startswith="webhook").exists()


@pytest.mark.parametrize("body", ["false", "[]", '"x"', '{"overlapHours": -1}', '{"overlapHours": "2"}'])
def test_a_rotation_with_a_bad_body_is_a_400_and_keeps_the_secret(owner_client: APIClient, body: str) -> None:
    endpoint = owner_client.post(reverse(LIST), BODY, format="json").json()

    response = owner_client.post(
        reverse("webhook-endpoint-rotate-secret", args=[endpoint["id"]]), body, content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["success"] is False and response.json()["code"] == "VALIDATION_ERROR"
    assert not AuditEvent.objects.filter(action="webhook_secret_rotated").exists()
    assert WebhookEndpoint.objects.get(public_id=endpoint["id"]).previous_secret == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "https://user:pass@hooks.example.com/hook",
        "ftp://hooks.example.com/hook",
        "file:///etc/passwd",
    ],
)
def test_urls_on_private_ranges_are_refused(settings: Any, api_client: APIClient, url: str) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = api_client.post(reverse(LIST), {"url": url, "eventTypes": ["submission.created"]}, format="json")
    assert response.status_code == 400, url
    assert response.json()["code"] == "WEBHOOK_URL_REFUSED"
    assert WebhookEndpoint.objects.count() == 0


def test_a_name_that_resolves_to_a_private_address_at_delivery_is_not_contacted(
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    workspace: Workspace,
    form_version: FormVersion,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """DNS rebinding: public when the endpoint is saved, 127.0.0.1 (where the receiver listens) when delivering."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    answers = {"public": "93.184.216.34", "rebound": "127.0.0.1"}
    state = {"now": "public"}
    real = socket.getaddrinfo

    def fake(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "hooks.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[state["now"]], port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    endpoint, _ = webhook_endpoint_create(
        workspace=workspace,
        url=f"http://hooks.example.com:{port}/hooks",
        event_types=["submission.created"],
        acting_user=None,
    )
    state["now"] = "rebound"
    with django_capture_on_commit_callbacks(execute=True):
        submission_create(workspace=workspace, form_version=form_version, data={"full_name": "X"}, acting_user=None)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == "FAILED" and "127.0.0.1" in delivery.last_error
    assert WebhookAttempt.objects.get().status_code is None
    assert receiver.requests == []


def test_another_workspaces_endpoint_and_delivery_are_not_found(
    api_client: APIClient, other_workspace: Workspace
) -> None:
    endpoint, _ = webhook_endpoint_create(
        workspace=other_workspace, url=URL, event_types=["submission.created"], acting_user=None
    )
    for name in ("webhook-endpoint-detail", "webhook-delivery-list", "webhook-endpoint-replay"):
        method = api_client.post if name.endswith("replay") else api_client.get
        response = method(reverse(name, args=[endpoint.public_id]))
        assert response.status_code == 404 and response.json()["code"] == "WEBHOOK_ENDPOINT_NOT_FOUND"
    response = api_client.post(reverse("webhook-delivery-replay", args=["dlv_nope"]))
    assert response.status_code == 404 and response.json()["code"] == "WEBHOOK_DELIVERY_NOT_FOUND"


def test_one_failed_delivery_is_replayed_with_its_event_id(
    admin_client: APIClient,
    workspace: Workspace,
    form_version: FormVersion,
    receiver: Receiver,
    endpoint_for: Callable[..., dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    endpoint = endpoint_for(receiver.url)
    receiver.answers = [(410, "gone", 0.0)]
    with django_capture_on_commit_callbacks(execute=True):
        submission_create(workspace=workspace, form_version=form_version, data={"full_name": "X"}, acting_user=None)
    (failed,) = admin_client.get(reverse("webhook-delivery-list", args=[endpoint["id"]]), {"status": "FAILED"}).json()[
        "deliveries"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("webhook-delivery-replay", args=[failed["id"]]))
    assert response.status_code == 200 and response.json()["status"] == "PENDING"
    assert WebhookDelivery.objects.get().status == "DELIVERED"
    first, second = receiver.requests
    assert (
        first.headers["webhook-id"] == second.headers["webhook-id"] == failed["eventId"] and first.body == second.body
    )
    row = AuditEvent.objects.get(action="webhook_replayed")
    assert row.details["deliveries"] == [failed["id"]] and row.details["count"] == 1

"""Endpoints and deliveries in the admin: ADMIN/OWNER only, saved through the services (audited), with a query
budget on the lists; and a walk through in Chromium (screenshots)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEvent
from tests.webhooks.receiver import Receiver
from tests.workflows.test_workflow_admin_browser import admin_page
from webhooks.constants import EventType
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.services import webhook_endpoint_create
from workspaces.constants import Role
from workspaces.models import Workspace

ENDPOINTS = "/admin/webhooks/webhookendpoint/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"


def _failed_delivery(workspace: Workspace, url: str, n: int = 1) -> WebhookEndpoint:
    endpoint, _ = webhook_endpoint_create(
        workspace=workspace, url=url, event_types=[EventType.SUBMISSION_CREATED], acting_user=None
    )
    for i in range(n):
        event = WebhookEvent.objects.create(
            workspace=workspace, event_type=EventType.SUBMISSION_CREATED, payload={"id": f"SUB-{i}", "status": "X"}
        )
        delivery = WebhookDelivery.objects.create(
            event=event, endpoint=endpoint, status="FAILED", attempts=1, last_status_code=503, last_error=""
        )
        WebhookAttempt.objects.create(
            delivery=delivery,
            endpoint=endpoint,
            number=1,
            started_at=event.created_at,
            status_code=503,
            latency_ms=12,
            succeeded=False,
            response_excerpt="Service Unavailable",
        )
    return endpoint


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER])
def test_viewers_and_members_do_not_see_webhooks(
    client: Client, workspace: Workspace, member_of: Callable[..., Any], role: Role
) -> None:
    _failed_delivery(workspace, "http://127.0.0.1:9/hook")
    client.force_login(member_of(workspace, role, is_staff=True))
    assert client.get(ENDPOINTS).status_code == 403
    assert client.get(DELIVERIES).status_code == 403
    assert "webhooks" not in client.get("/admin/").content.decode().lower()


@pytest.mark.django_db
def test_an_admin_adds_an_endpoint_through_the_service_and_sees_the_secret_once(
    client: Client, workspace: Workspace, member_of: Callable[..., Any], settings: Any
) -> None:
    client.force_login(member_of(workspace, Role.ADMIN, is_staff=True, username="ada"))
    body = {
        "workspace": workspace.pk,
        "url": "http://127.0.0.1:9/crm",
        "description": "CRM",
        "event_types": ["submission.created", "workflow.completed"],
    }
    response = client.post(f"{ENDPOINTS}add/", body, follow=True)
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["submission.created", "workflow.completed"]
    assert endpoint.secret in response.content.decode()  # the message, once
    assert endpoint.secret not in client.get(f"{ENDPOINTS}{endpoint.pk}/change/").content.decode()
    assert AuditEvent.objects.get(action="webhook_endpoint_created").actor_label == "ada"

    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    refused = client.post(f"{ENDPOINTS}add/", {**body, "url": "http://10.0.0.8/x"})
    assert refused.status_code == 200 and "public addresses" in refused.content.decode()
    assert WebhookEndpoint.objects.count() == 1


@pytest.mark.django_db
def test_lists_stay_within_a_query_budget_and_replay_goes_through_the_service(
    client: Client,
    workspace: Workspace,
    other_workspace: Workspace,
    member_of: Callable[..., Any],
    receiver: Receiver,
    django_assert_max_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    endpoint = _failed_delivery(workspace, receiver.url, n=30)
    _failed_delivery(other_workspace, "http://127.0.0.1:9/other")
    client.force_login(member_of(workspace, Role.OWNER, is_staff=True))
    with django_assert_max_num_queries(12):
        listed = client.get(DELIVERIES)
    assert listed.status_code == 200 and "/other" not in listed.content.decode()
    with django_assert_max_num_queries(12):
        assert client.get(ENDPOINTS).status_code == 200
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint).first()
    assert delivery is not None
    with django_assert_max_num_queries(15):
        page = client.get(f"{DELIVERIES}{delivery.pk}/change/")
    assert "Service Unavailable" in page.content.decode() and "SUB-" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(DELIVERIES, {"action": "replay", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert delivery.status == "DELIVERED" and len(receiver.requests) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ENDPOINTS, {"action": "replay_failed", "_selected_action": [endpoint.pk]})
    assert len(receiver.requests) == 30
    assert AuditEvent.objects.filter(action="webhook_replayed").count() == 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_owner_reads_the_delivery_log(
    browser: Any, live_server: Any, workspace: Workspace, screenshot: Callable[[Any, str], Any]
) -> None:
    endpoint = _failed_delivery(workspace, "https://crm.example.com/hooks/intake", n=3)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(event_types=EventType.values[:4])
    page = admin_page(browser, live_server, workspace, role=Role.OWNER)
    page.goto(f"{live_server.url}{ENDPOINTS}")
    page.locator("#result_list").wait_for()
    assert "crm.example.com" in page.locator("#result_list").inner_text()
    screenshot(page, "webhook-endpoints-admin")
    page.click("text=Deliveries")
    page.locator("#result_list").wait_for()
    assert "FAILED" in page.locator("#result_list").inner_text().upper()
    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_selector("fieldset")
    assert "Service Unavailable" in page.content()
    screenshot(page, "webhook-delivery-admin")

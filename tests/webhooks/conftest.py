from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from submissions.models import FormVersion
from submissions.services import form_create, form_publish
from tests.webhooks.receiver import Receiver, receiver_running
from workspaces.constants import Role
from workspaces.models import Workspace

SCHEMA = {"fields": [{"key": "full_name", "label": "Name", "type": "text", "required": True}]}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiver_running() as running:
        yield running


@pytest.fixture
def admin_client(
    workspace: Workspace, member_of: Callable[..., Any], api_client_for: Callable[..., APIClient]
) -> APIClient:
    return api_client_for(workspace, user=member_of(workspace, Role.ADMIN, email="ada@example.com"))


@pytest.fixture
def form_version(workspace: Workspace) -> FormVersion:
    form = form_create(workspace=workspace, title="Onboarding", schema=SCHEMA, acting_user=None)
    return form_publish(form=form, acting_user=None)


@pytest.fixture
def endpoint_for(admin_client: APIClient) -> Callable[..., dict[str, Any]]:
    """endpoint_for(url, ["submission.created"]) -> the API's answer (with the one-time secret)."""

    def make(url: str, event_types: list[str] | None = None) -> dict[str, Any]:
        body = {"url": url, "eventTypes": event_types or ["submission.created"], "description": "CRM"}
        response = admin_client.post(reverse("webhook-endpoint-list"), body, format="json")
        assert response.status_code == 201, response.json()
        answer: dict[str, Any] = response.json()
        return answer

    return make

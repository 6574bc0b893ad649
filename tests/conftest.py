"""Suite-wide fixtures: a real S3 emulator over HTTP on 127.0.0.1, API clients per role, headless Chromium and
its screenshots."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connections
from django.utils import translation
from moto.server import ThreadedMotoServer
from playwright.sync_api import sync_playwright
from rest_framework.test import APIClient

from config.celery import app as celery_app
from documents import s3
from tests.celery_worker import Worker, celery_worker_run
from tests.workspaces.factories import MembershipFactory, UserFactory, WorkspaceFactory
from workspaces.constants import Role
from workspaces.models import Workspace
from workspaces.services import api_key_create

CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by .ci/ensure-chromium
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Where the page screenshots go (a CI artefact; the README shows the main ones from docs/screenshots/).
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "390px": {"width": 390, "height": 844}}


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Headless Chromium driven by Playwright's sync API."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()  # the connections opened while Playwright's loop ran


@pytest.fixture
def screenshot() -> Callable[[Any, str], list[Path]]:
    """`screenshot(page, "name")`: the page as it is now, full length, at desktop width and at 390 px.

    Saved under artifacts/screenshots/ as <name>-desktop.png and <name>-390px.png; the page is left at desktop width.
    """

    def take(page: Any, name: str) -> list[Path]:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower())
        paths = []
        for label in ("390px", "desktop"):
            page.set_viewport_size(VIEWPORTS[label])
            path = SCREENSHOTS / f"{slug}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        return paths

    return take


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's threaded server, so presigned POSTs can be exercised with real HTTP clients (curl, requests, Chromium)."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    settings.AWS_S3_ENDPOINT_URL = endpoint
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    s3.clear_cached_clients()
    yield endpoint
    server.stop()


@pytest.fixture(autouse=True)
def site_language() -> Iterator[None]:
    """Every test starts in the site's language: a page that activated the client's (German) for its request
    leaves it active in the test's thread, where a server's next request would have LocaleMiddleware reset it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def s3_bucket(s3_endpoint: str) -> str:
    """Every test starts with an empty bucket (with the policy that makes the public prefix readable)."""
    requests.post(f"{s3_endpoint}/moto-api/reset", timeout=10)
    s3.ensure_bucket()
    return str(settings.AWS_STORAGE_BUCKET_NAME)


@pytest.fixture
def workspace(db: None) -> Workspace:
    return WorkspaceFactory.create(name="Acme Compliance")


@pytest.fixture
def other_workspace(db: None) -> Workspace:
    return WorkspaceFactory.create(name="Other Tenant")


@pytest.fixture
def member_of(db: None) -> Callable[..., object]:
    """member_of(workspace, Role.ADMIN) -> a new user with that role in that workspace."""

    def make(workspace: Workspace, role: Role = Role.MEMBER, **user_fields: object) -> object:
        user = UserFactory(**user_fields)
        MembershipFactory(user=user, workspace=workspace, role=role)
        return user

    return make


@pytest.fixture
def api_client_for(db: None) -> Callable[..., APIClient]:
    """api_client_for(workspace, user=None, role=Role.ADMIN): an APIClient sending that workspace's API key.

    With ``user``, the client also sends X-USER-ID and acts as that member.
    """

    def make(workspace: Workspace, user: object | None = None, role: Role = Role.ADMIN) -> APIClient:
        _, raw_key = api_key_create(workspace=workspace, name="test key", acting_user=None, role=role)
        client = APIClient()
        headers = {"HTTP_X_API_KEY": raw_key}
        if user is not None:
            headers["HTTP_X_USER_ID"] = str(user.pk)  # type: ignore[attr-defined]
        client.credentials(**headers)
        return client

    return make


@pytest.fixture
def api_client(workspace: Workspace, api_client_for: Callable[..., APIClient]) -> APIClient:
    """The workspace's API key acting on its own (ADMIN role)."""
    return api_client_for(workspace)


@pytest.fixture
def owner(workspace: Workspace, member_of: Callable[..., object]) -> object:
    return member_of(workspace, Role.OWNER, username="olivia-owner")


@pytest.fixture
def owner_client(workspace: Workspace, owner: object, api_client_for: Callable[..., APIClient]) -> APIClient:
    return api_client_for(workspace, user=owner)


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup: None, s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    yield from celery_worker_run(tmp_path_factory.mktemp("celery"), s3_endpoint)


@pytest.fixture
def tasks_to_broker() -> Iterator[None]:
    """Tasks are sent to the broker (Redis) instead of running in the caller."""
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = True


@pytest.fixture
def celery_worker(celery_worker_process: Worker, transactional_db: None, tasks_to_broker: None) -> Worker:
    """A real worker and broker for this test."""
    return celery_worker_process

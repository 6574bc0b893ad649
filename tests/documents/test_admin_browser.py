"""The document admin page in headless Chromium: the preview loads under the CSP and "Check again" works."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from documents import s3
from documents.constants import ScanStatus
from documents.models import Document
from tests.documents.factories import UploadedDocumentFactory
from tests.uploads import png_bytes
from workspaces.constants import Role
from workspaces.models import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_previews_a_file_and_has_it_checked_again(
    browser: Any, live_server: Any, workspace: Workspace, member_of: Callable[..., Any], screenshot: Any
) -> None:
    document: Document = UploadedDocumentFactory.create(
        workspace=workspace, original_name="utility-bill.png", content_type="image/png", size=5120, sha256="c0" * 32
    )
    s3.put_object(document.final_key, png_bytes((600, 800), "wheat"), "image/png")
    client = Client()
    client.force_login(member_of(workspace, Role.MEMBER, is_staff=True))
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security" in message.text else None)

    page.goto(f"{live_server.url}/admin/documents/document/{document.pk}/change/")
    preview = page.locator("img.document-thumbnail")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=preview.element_handle())
    expect(page.get_by_role("link", name="Download (link valid 15 minutes)")).to_be_visible()
    expect(page.get_by_text("Accepted: size, type and content match what was declared.")).to_be_visible()
    assert blocked == []
    screenshot(page, "document")

    page.get_by_role("button", name="Check again").click()
    expect(page.get_by_text("Queued for a new content check and malware scan")).to_be_visible()
    document.refresh_from_db()
    assert document.scanned_at is not None  # checked again: the scan task ran (eager in the suite)
    assert document.scan_status in (ScanStatus.CLEAN, ScanStatus.NOT_SCANNED)

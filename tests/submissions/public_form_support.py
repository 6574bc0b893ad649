"""Shared by the public form page tests: a form with files (one in a repeat row), opened or closed, and a client
that asks for uploads, puts the files in S3 and sends, as the page's script does."""

from __future__ import annotations

import copy
import secrets
from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from submissions.models import Form, FormInvitation
from submissions.services import form_create, form_publish, form_update
from submissions.services.public_forms import form_invitation_create
from tests.uploads import post_to_s3
from workspaces.models import Workspace

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "full_name", "label": "Full legal name", "type": "text", "required": True},
        {"key": "email", "label": "Email", "type": "email", "required": True},
        {"key": "id_document", "label": "Passport", "type": "file", "constraints": {"accept": ["pdf"]}},
    ],
    "sections": [
        {
            "id": "directors",
            "title": "Directors",
            "repeatable": True,
            "minItems": 0,
            "maxItems": 3,
            "fields": [
                {"key": "director_name", "label": "Director name", "type": "text", "required": True},
                {"key": "director_id", "label": "Director ID", "type": "file"},
            ],
        }
    ],
}


def make_form(
    workspace: Workspace, *, is_public: bool = True, slug: str = "onboarding", schema: dict[str, Any] | None = None
) -> Form:
    form = form_create(
        workspace=workspace,
        title="Client onboarding",
        slug=slug,
        schema=copy.deepcopy(schema or SCHEMA),
        acting_user=None,
    )
    form_publish(form=form, acting_user=None)
    return form_update(form=form, is_public=is_public, acting_user=None)


def invite(form: Form, *, expired: bool = False, revoked: bool = False) -> str:
    invitation, token = form_invitation_create(form=form, acting_user=None, label="Jane")
    if expired:
        FormInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    if revoked:
        FormInvitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    return token


def page_url(form: Form, token: str = "", way: str = "") -> str:
    args = [form.workspace.slug, form.slug]
    if way == "invitation":
        return reverse("submissions:public-form-invitation", args=[*args, token])
    if way == "draft":
        return reverse("submissions:public-form-draft", args=[*args, token])
    return reverse("submissions:public-form", args=args)


def new_visit() -> str:
    return secrets.token_urlsafe(32)


def upload(client: Client, page: str, visit: str, files: list[tuple[str, str]], content: bytes = PDF) -> list[str]:
    """Ask the page's uploads endpoint for presigned POSTs and upload ``content`` for each; the document ids."""
    response = client.post(
        page + "uploads",
        {"visit": visit, "files": [{"path": path, "fileName": name} for path, name in files]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    ids = []
    for item in response.json()["uploads"]:
        assert post_to_s3(item["url"], item["fields"], content, item["fileName"]).status_code == 204
        ids.append(item["documentId"])
    return ids


def send(client: Client, page: str, visit: str, answers: dict[str, Any], **extra: Any) -> Any:
    return client.post(page + "send", {"visit": visit, "answers": answers, **extra}, content_type="application/json")

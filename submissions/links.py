"""The absolute address of a share page, for the API's answer and the admin's message alike."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def share_url(request: HttpRequest, token: str) -> str:
    path = reverse("submissions:share-page", args=[token])
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)

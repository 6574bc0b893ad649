"""Links that work without an API key: signed thumbnail links and type icons (for <img> tags)."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from config.errors import error_body
from documents import s3
from documents.constants import DOWNLOAD_URL_EXPIRY_SECONDS
from documents.errors import StorageUnavailable
from documents.filetypes import extension_of
from documents.links import thumbnail_token_document_uuid
from documents.models import Document
from documents.services import document_thumbnail_ensure


@require_GET
def thumbnail(request: HttpRequest, token: str) -> HttpResponse:
    document_uuid = thumbnail_token_document_uuid(token)
    document = (
        Document.objects.select_related("workspace").filter(uuid=document_uuid).first() if document_uuid else None
    )
    if document is None:
        return HttpResponse("This thumbnail link is invalid or has expired.", status=404, content_type="text/plain")
    try:
        thumbnail_key = document_thumbnail_ensure(document=document)
    except StorageUnavailable as exc:
        return JsonResponse(error_body(exc.message, exc.code, exc.details), status=exc.http_status, headers=exc.headers)
    if thumbnail_key is None:
        ext = extension_of(document.sanitized_name) or "file"
        return HttpResponseRedirect(reverse("documents:icon", args=[ext]))
    return HttpResponseRedirect(s3.presigned_get_url(thumbnail_key, expires_in=DOWNLOAD_URL_EXPIRY_SECONDS))


@require_GET
@cache_control(max_age=86400, public=True)
def icon(request: HttpRequest, extension: str) -> HttpResponse:
    label = extension.upper()[:5]
    return render(request, "documents/icon.svg", {"label": label}, content_type="image/svg+xml")

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
from documents.services import thumbnail_renderable
from documents.tasks import document_thumbnail_render


@require_GET
def thumbnail(request: HttpRequest, token: str) -> HttpResponse:
    document_uuid = thumbnail_token_document_uuid(token)
    document = (
        Document.objects.select_related("workspace").filter(uuid=document_uuid).first() if document_uuid else None
    )
    if document is None:
        return HttpResponse("This thumbnail link is invalid or has expired.", status=404, content_type="text/plain")
    if not document.thumbnail_key and thumbnail_renderable(document):
        # A worker renders it; until it has, the link answers the type icon (not cached, so the next view may
        # find the thumbnail). Eager mode (the tests) renders here, and an S3 fault is then a 503.
        try:
            document_thumbnail_render.delay(document.pk)
        except StorageUnavailable as exc:
            return JsonResponse(
                error_body(exc.message, exc.code, exc.details), status=exc.http_status, headers=exc.headers
            )
        document.refresh_from_db(fields=["thumbnail_key"])
    if not document.thumbnail_key:
        ext = extension_of(document.sanitized_name) or "file"
        placeholder = HttpResponseRedirect(reverse("documents:icon", args=[ext]))
        placeholder["Cache-Control"] = "no-store"
        return placeholder
    return HttpResponseRedirect(s3.presigned_get_url(document.thumbnail_key, expires_in=DOWNLOAD_URL_EXPIRY_SECONDS))


@require_GET
@cache_control(max_age=86400, public=True)
def icon(request: HttpRequest, extension: str) -> HttpResponse:
    label = extension.upper()[:5]
    return render(request, "documents/icon.svg", {"label": label}, content_type="image/svg+xml")

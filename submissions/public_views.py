"""The public form page ``/f/<workspace>/<form>/``: the form's open address, an invitation (``i/<token>/``) or a
draft's resume link (``d/<token>/``), each with its uploads and send endpoints for the page's script.

Without JavaScript the page posts to itself and goes through the same service (files need the script). Who may
answer is ``submissions.access.public_form_entry``'s answer; every write is ``submissions.services.public_forms``.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import ApplicationError
from config.parsing import parse
from ratelimits.limits import Hit, client_address, counter_key, rate_for, rate_limit_hit
from ratelimits.responses import too_many_requests
from submissions.access import PublicFormEntry, public_form_entry, public_form_sent_get
from submissions.constants import SubmissionStatus
from submissions.errors import FormNotFound, PublicLinkInvalid
from submissions.formschema import render_spec
from submissions.languages import page_language_activate
from submissions.models import Submission, SubmissionFile
from submissions.rendering import bind_form, page_strings, values_from_post
from submissions.services.public_forms import (
    DRAFT_EMAIL,
    SendResult,
    UploadWanted,
    public_form_send,
    public_form_uploads_issue,
)

OPEN, INVITATION, DRAFT = "open", "invitation", "draft"
_SENT_SALT = "submissions.public-form-sent"
_SENT_MAX_AGE = 30 * 24 * 3600


def _entry(workspace_slug: str, form_slug: str, way: str, token: str) -> PublicFormEntry:
    return public_form_entry(
        workspace_slug=workspace_slug,
        form_slug=form_slug,
        invitation_token=token if way == INVITATION else "",
        draft_token=token if way == DRAFT else "",
    )


def _page_url(entry: PublicFormEntry, way: str, token: str, suffix: str = "") -> str:
    args = [entry.form.workspace.slug, entry.form.slug]
    name = {OPEN: "public-form", INVITATION: "public-form-invitation", DRAFT: "public-form-draft"}[way]
    return reverse(f"submissions:{name}{suffix}", args=[*args, token] if way != OPEN else args)


def _absolute(request: HttpRequest, path: str) -> str:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def _after_send(request: HttpRequest, entry: PublicFormEntry, result: SendResult, *, emailed: bool) -> str:
    """Where the page goes next: the confirmation with the reference, or the draft's new resume link."""
    if result.draft_token:
        return _page_url(entry, DRAFT, result.draft_token) + ("?saved=1&emailed=1" if emailed else "?saved=1")
    return sent_url(entry, result.submission)


def sent_url(entry: PublicFormEntry, submission: Submission) -> str:
    signed = signing.dumps(submission.public_id, salt=_SENT_SALT)
    return reverse("submissions:public-form-sent", args=[entry.form.workspace.slug, entry.form.slug, signed])


def _invalid(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    message = _("This form is not available.") if isinstance(exc, FormNotFound) else _(exc.message)
    return render(request, "submissions/public_form_invalid.html", {"message": message}, status=404)


def _kept_file_names(entry: PublicFormEntry) -> dict[str, str]:
    """The names of the files a resumed draft holds, by document id."""
    if entry.draft is None:
        return {}
    links = SubmissionFile.objects.filter(submission=entry.draft.submission).values_list(
        "document__uuid", "document__original_name"
    )
    return {str(document_uuid): name for document_uuid, name in links}


@never_cache
@require_http_methods(["GET", "POST"])
def public_form_page(
    request: HttpRequest, workspace_slug: str, form_slug: str, way: str = OPEN, token: str = ""
) -> HttpResponse:
    try:
        entry = _entry(workspace_slug, form_slug, way, token)
    except (FormNotFound, PublicLinkInvalid) as exc:
        return _invalid(request, exc)
    if entry.draft is not None and entry.draft.submission.status != SubmissionStatus.DRAFT:
        return redirect(sent_url(entry, entry.draft.submission))  # sent since: its confirmation
    spec = render_spec(entry.version.schema, language=page_language_activate(request, entry.version.schema))
    values: dict[str, Any] = entry.draft.submission.data if entry.draft is not None else {}
    errors: dict[str, list[str]] = {}
    visit_key = secrets.token_urlsafe(32)
    email = entry.draft.email if entry.draft is not None else ""
    status = 200
    if request.method == "POST":
        visit_key = request.POST.get("visit", "")
        values = values_from_post(spec, request.POST, files="documents")
        email = request.POST.get(DRAFT_EMAIL, "")
        try:
            result = public_form_send(
                entry=entry,
                visit_key=visit_key,
                data=values,
                as_draft=request.POST.get("intent") == "draft",
                email=email,
                build_url=lambda t: _absolute(request, _page_url(entry, DRAFT, t)),
            )
        except ApplicationError as exc:
            errors = exc.details.get("fields") or {"": [exc.message]}
            status = 400
        else:
            return redirect(_after_send(request, entry, result, emailed=bool(email)))
    bound = bind_form(spec, values=values, errors=errors, file_names=_kept_file_names(entry))
    saved = entry.draft is not None and request.GET.get("saved") == "1"
    context = {
        "entry": entry,
        "workspace_name": entry.form.workspace.name,
        "form_title": entry.form.title,
        "root_form": bound,
        "root_spec": spec,
        "error_list": bound.error_summary({k: v for k, v in errors.items() if k != DRAFT_EMAIL}),
        "email_errors": errors.get(DRAFT_EMAIL, []),
        "email": email,
        "visit_key": visit_key,
        "uploads_url": _page_url(entry, way, token, "-uploads"),
        "send_url": _page_url(entry, way, token, "-send"),
        "saved": saved,
        "emailed": saved and request.GET.get("emailed") == "1",
        "resume_url": _absolute(request, request.path) if saved else "",
        "strings": {**page_strings(), **_strings()},
    }
    response = render(request, "submissions/public_form.html", context, status=status)
    response["Referrer-Policy"] = "no-referrer"  # a token may be in the URL: never send it elsewhere
    if way != OPEN:
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _strings() -> dict[str, str]:
    """What the public form page's script says beyond the shared sentences."""
    return {
        "saving": _("Saving your answers…"),
        "copied": _("Copied"),
        "retryUploads": _("Retry the files that failed, then press the button again."),
    }


@require_GET
@never_cache
def public_form_sent(request: HttpRequest, workspace_slug: str, form_slug: str, signed: str) -> HttpResponse:
    """The confirmation after a send: the workspace, the form and the submission's reference."""
    try:
        public_id = signing.loads(signed, salt=_SENT_SALT, max_age=_SENT_MAX_AGE)
    except signing.BadSignature:
        return _invalid(request, PublicLinkInvalid("The link is invalid or has expired."))
    try:
        submission = public_form_sent_get(workspace_slug=workspace_slug, form_slug=form_slug, public_id=public_id)
    except FormNotFound as exc:
        return _invalid(request, exc)
    context = {
        "workspace_name": submission.form.workspace.name,
        "form_title": submission.form.title,
        "reference": submission.public_id,
    }
    response = render(request, "submissions/public_form_sent.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- The page script's endpoints (not a public contract: left out of the OpenAPI document) -----------


class PublicUploadFileSerializer(serializers.Serializer[Any]):
    path = serializers.CharField(max_length=300)
    fileName = serializers.CharField(max_length=255)


class PublicUploadsRequestSerializer(serializers.Serializer[Any]):
    visit = serializers.CharField(max_length=100)
    files = serializers.ListField(child=PublicUploadFileSerializer(), allow_empty=False, max_length=50)


class PublicSendRequestSerializer(serializers.Serializer[Any]):
    visit = serializers.CharField(max_length=100)
    answers = serializers.DictField(help_text="The answers by field key; file fields hold upload ids.")
    intent = serializers.ChoiceField(choices=["send", "draft"], default="send")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")


@extend_schema(exclude=True)
class PublicFormUploadsView(APIView):
    """Presigned POSTs for the page's chosen files (counted per client address: ``RATE_LIMIT_PUBLIC_UPLOADS``)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(
        self, request: Request, workspace_slug: str, form_slug: str, way: str = OPEN, token: str = ""
    ) -> Response | HttpResponse:
        entry = _entry(workspace_slug, form_slug, way, token)
        body = parse(PublicUploadsRequestSerializer, request.data)
        address = client_address(request)
        hit = Hit(counter_key("public_uploads", address), rate_for("public_uploads"), count=len(body["files"]))
        wait = rate_limit_hit(hit)
        if wait is not None:
            return too_many_requests(request, wait, page=False)
        issued = public_form_uploads_issue(
            entry=entry,
            visit_key=body["visit"],
            files=[UploadWanted(path=f["path"], file_name=f["fileName"]) for f in body["files"]],
        )
        return Response(
            {
                "uploads": [
                    {
                        "path": upload.path,
                        "fileName": upload.document.original_name,
                        "documentId": str(upload.document.uuid),
                        "url": upload.post.url,
                        "fields": upload.post.fields,
                    }
                    for upload in issued
                ]
            }
        )


@extend_schema(exclude=True)
class PublicFormSendView(APIView):
    """Send the answers (file fields holding the ids of the visit's uploads), or save them as a draft."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request: Request, workspace_slug: str, form_slug: str, way: str = OPEN, token: str = "") -> Response:
        entry = _entry(workspace_slug, form_slug, way, token)
        body = parse(PublicSendRequestSerializer, request.data)
        result = public_form_send(
            entry=entry,
            visit_key=body["visit"],
            data=body["answers"],
            as_draft=body["intent"] == "draft",
            email=body["email"],
            build_url=lambda t: _absolute(request, _page_url(entry, DRAFT, t)),
        )
        status = "draft" if result.draft_token else "sent"
        return Response(
            {
                "status": status,
                "reference": result.submission.public_id,
                "next": _after_send(request, entry, result, emailed=bool(body["email"]) and status == "draft"),
            }
        )

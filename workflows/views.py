"""End-client pages: the public action link a workspace sends its client."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from config.errors import ApplicationError
from config.messages import localized_errors
from documents.constants import DocumentStatus, UploadProblem
from submissions.formschema import render_spec
from submissions.languages import page_language_activate
from submissions.rendering import bind_form, page_strings, values_from_post
from workflows.api.public_actions import PublicActionSubmitView
from workflows.constants import RELATION_ROLES, ROLE_ENTITY_KEY, PublicActionStatus
from workflows.errors import InvalidToken
from workflows.inputs import PublicActionSubmission
from workflows.models import PublicAction
from workflows.selectors.public_actions import public_action_files, public_action_get_by_token
from workflows.selectors.revisions import revision_page, revision_request_get_by_token
from workflows.services.public_actions import public_action_submit

ENTITY_PLACEHOLDER = "__ENTITY__"
# The link's refusals (workflows.selectors), translated on the page that shows them; the API keeps English.
gettext_noop("The link is invalid or has expired.")
gettext_noop("This link has already been used.")
gettext_noop("The process this link belongs to is closed.")
gettext_noop("This link was withdrawn by its sender.")


@never_cache
@require_http_methods(["GET", "POST"])
def public_action_page(request: HttpRequest, token: str) -> HttpResponse:
    """The form of a public action, rendered by the one form renderer.

    With JavaScript the page's script submits to the API, uploads the files straight to S3 and confirms; without
    it the root form posts here and goes through the same service (files need the script).
    """
    try:
        action = public_action_get_by_token(token=token, allow_completed=True)
    except InvalidToken as exc:
        return _revision_page(request, token) or render(
            request, "workflows/public_action_invalid.html", {"message": exc.message}, status=404
        )
    page_language_activate(request, action.form_version.schema)
    root_spec = render_spec(action.form_version.schema)
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST" and action.status == PublicActionStatus.OPEN:
        values = values_from_post(root_spec, request.POST)
        try:
            public_action_submit(token=token, submission=PublicActionSubmission(root_data=values))
        except ApplicationError as exc:
            errors = exc.details.get("fields") or {"": [exc.message]}
            status = 400
        else:
            return redirect("public-action-page", token=token)
    response = render(
        request, "workflows/public_action.html", _context(action, token, root_spec, values, errors), status=status
    )
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL: never send it elsewhere
    return response


def _context(
    action: PublicAction, token: str, root_spec: dict[str, Any], values: dict[str, Any], errors: dict[str, list[str]]
) -> dict[str, Any]:
    entity_specs = {
        kind: render_spec(version.schema)
        for kind, version in (("company", action.company_form_version), ("individual", action.individual_form_version))
        if version is not None
    }
    entity_forms = {
        kind: bind_form(spec, prefix=f"{ROLE_ENTITY_KEY}[{ENTITY_PLACEHOLDER}].") for kind, spec in entity_specs.items()
    }
    root_form = bind_form(root_spec, values=values, errors=errors)
    context: dict[str, Any] = {
        "action": action,
        "workspace_name": action.workspace.name,
        "form_title": action.form_version.form.title,
        "root_form": root_form,
        "root_spec": root_spec,
        "entity_specs": entity_specs,
        "entity_forms": entity_forms,
        "relation_roles": RELATION_ROLES,
        "error_list": root_form.error_summary(errors),
        "submit_url": reverse("public-action-page-submit", args=[token]),
        "confirm_url": reverse("public-action-confirm", args=[token]),
        "max_upload_bytes": settings.UPLOAD_DEFAULT_MAX_BYTES,
        "strings": page_strings(),
    }
    if action.status == PublicActionStatus.AWAITING_UPLOADS:
        labels = {
            item["key"]: item["label"]
            for spec in (root_spec, *entity_specs.values())
            for item in [*spec["fields"], *(f for section in spec["sections"] for f in section["fields"])]
        }
        context["files"] = [
            {
                "name": item.record_document.document.original_name,
                "field": labels.get(item.record_document.field_name.rsplit(".", 1)[-1], ""),
                "entity": bool(item.entity_reference),
                "received": item.record_document.document.status == DocumentStatus.UPLOADED,
                "problem": UploadProblem(item.record_document.document.problem).label
                if item.record_document.document.problem
                else "",
            }
            for item in public_action_files(action=action)
        ]
    if action.status == PublicActionStatus.COMPLETED and action.submission_id:
        context["reference"] = action.submission.public_id if action.submission else ""
    return context


@extend_schema_view(post=extend_schema(exclude=True))  # a page's route: the API documents its own
class PublicActionPageSubmitView(PublicActionSubmitView):
    """What the page's script sends to: ``POST /v3/public/actions/{token}`` with the same body and answers, except
    that the field errors are in the page's language (the script sends it as ``Accept-Language``); the API's own
    route answers them in English."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ApplicationError) and isinstance(exc.details.get("fields"), dict):
            exc.details = {**exc.details, "fields": localized_errors(exc.details["fields"])}
        return super().handle_exception(exc)


def _revision_page(request: HttpRequest, token: str) -> HttpResponse | None:
    """A revision request's link: what the reviewer asks for again and why, with a file input per document."""
    try:
        revision = revision_request_get_by_token(token=token)
    except InvalidToken:
        return None
    context = {
        "revision": revision,
        "asked": revision_page(revision=revision),
        "uploads_url": reverse("revision-uploads", args=[token]),
        "confirm_url": reverse("revision-confirm", args=[token]),
        "strings": _revision_strings(),
    }
    response = render(request, "workflows/revision_request.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _revision_strings() -> dict[str, str]:
    """The revision page script's sentences, in the page's language (``%(name)s`` placeholders)."""
    return {
        "notReceived": gettext("We have not received this file yet. Please choose it and send again."),
        "chooseFiles": gettext("Please choose a file for each document asked for."),
        "uploading": gettext("Uploading…"),
        "notSent": gettext("The files could not be sent. Please try again."),
        "notUploaded": gettext("%(name)s could not be uploaded (%(status)s). Please try again."),
        "received": gettext("Thank you. We have received every document we asked for."),
        "notAccepted": gettext("Some files were not accepted. Please look at the messages above."),
        "failed": gettext("Something went wrong. Please try again."),
        "network": gettext("The connection failed. Please try again."),
    }

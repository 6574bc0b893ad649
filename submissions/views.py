"""The read-only share page (anyone with a live link sees the submission, nothing else) and a form's preview."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from config.errors import ValidationFailed
from submissions.access import form_get_for_preview, form_version_get_for_preview
from submissions.case import file_view, submission_answers
from submissions.errors import FormNotFound
from submissions.formschema import clean_form_data, render_spec
from submissions.languages import page_language_activate
from submissions.rendering import bind_form, values_from_post
from submissions.selectors import share_link_get_active, submission_files
from submissions.services import submission_record_read


@require_GET
@never_cache
def share_page(request: HttpRequest, token: str) -> HttpResponse:
    link = share_link_get_active(token=token)
    if link is None:
        return render(request, "submissions/share_invalid.html", status=404)
    submission = link.submission
    submission_record_read(submission=submission, acting_user=None, via="share_page", share_link=link.pk)
    language = page_language_activate(request, submission.form_version.schema)
    context = {
        "submission": submission,
        "link": link,
        "sections": submission_answers(submission=submission, request=request, language=language),
        "files": [
            {"view": file_view(document, str(document.uuid), request), "sha256": document.sha256}
            for document in submission_files(submission=submission)
        ],
    }
    response = render(request, "submissions/share.html", context)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def form_preview(request: HttpRequest, form_id: str = "", version_id: str = "") -> HttpResponse:
    """A form as its clients will see it, for its authors: the draft schema (``form_id``) or a published version.

    Sending checks the answers with the server's rules (conditions, required fields, types) and saves nothing.
    """
    try:
        version = form_version_get_for_preview(user=request.user, public_id=version_id) if version_id else None
        form = version.form if version else form_get_for_preview(user=request.user, public_id=form_id)
        schema = version.schema if version else form.schema
        spec = render_spec(schema, language=page_language_activate(request, schema))
        label = _("version %(n)s") % {"n": version.version} if version else _("draft")
    except FormNotFound:
        raise Http404("No such form.") from None
    except ValidationFailed as exc:
        return render(
            request,
            "submissions/form_preview.html",
            {"form": form, "schema_errors": exc.details.get("schema", [exc.message])},
        )
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    checked = False
    if request.method == "POST":
        values = values_from_post(spec, request.POST, files=True)
        try:
            clean_form_data(
                schema=schema, data=values, workspace=form.workspace, require_required=True, file_values="file_names"
            )
        except ValidationFailed as exc:
            errors = exc.details.get("fields") or {"": [exc.message]}
        checked = True
    bound = bind_form(spec, values=values, errors=errors)
    context = {
        "form": form,
        "label": label,
        "root_form": bound,
        "root_spec": spec,
        "error_list": bound.error_summary(errors),
        "checked": checked and not errors,
    }
    return render(request, "submissions/form_preview.html", context, status=400 if errors else 200)

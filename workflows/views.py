"""End-client pages: the public action link a workspace sends its client."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from submissions.formschema import render_spec
from workflows.errors import InvalidToken
from workflows.selectors.public_actions import public_action_get_by_token


@never_cache
def public_action_page(request: HttpRequest, token: str) -> HttpResponse:
    """The form of a public action; the page's script submits it, uploads the files to S3 and confirms."""
    try:
        action = public_action_get_by_token(token=token, allow_completed=True)
    except InvalidToken as exc:
        return render(request, "workflows/public_action_invalid.html", {"message": exc.message}, status=404)
    # The page renders each form from its browser spec: widgets, option labels, bounds, conditions.
    entity_schemas = {
        "individual": render_spec(action.individual_form_version.schema) if action.individual_form_version else None,
        "company": render_spec(action.company_form_version.schema) if action.company_form_version else None,
    }
    context = {
        "action": action,
        "root_schema": render_spec(action.form_version.schema),
        "entity_schemas": entity_schemas,
        "submit_url": reverse("public-action-submit", args=[token]),
        "confirm_url": reverse("public-action-confirm", args=[token]),
    }
    response = render(request, "workflows/public_action.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL: never send it elsewhere
    return response

"""The language of an end-client page: the visitor's choice, else the language the form is written in.

Django's LocaleMiddleware activates the switcher's cookie or ``Accept-Language`` and, when neither names a language
the site ships, ``LANGUAGE_CODE``. A page showing a form asks ``page_language_activate`` instead: when the visitor
named no language the site has, the page follows the form's ``defaultLanguage`` (if the site has it), so a form
written in German opens in German for a visitor who expressed no preference.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from submissions.formschema import form_default_language


def _supported(code: str) -> str | None:
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def _accepted(header: str) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first (``*`` and ``q=0`` left out)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        code, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if code and code != "*" and quality > 0:
            ranked.append((-quality, index, code.strip()))
    return [code for _, _, code in sorted(ranked)]


def visitor_language(request: HttpRequest) -> str | None:
    """The site's language the visitor chose (the switcher's cookie, else ``Accept-Language``), or None."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    for code in [cookie, *_accepted(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))]:
        if code and (supported := _supported(code)):
            return supported
    return None


def page_language_activate(request: HttpRequest, schema: dict[str, Any]) -> str:
    """Activate (for the rest of the request) and return the language a page of a form with ``schema`` uses."""
    language = visitor_language(request) or _supported(form_default_language(schema)) or translation.get_language()
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language

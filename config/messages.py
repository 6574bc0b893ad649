"""Messages the API answers in English and the pages show in their visitor's language.

A validation message (``Message``) is a ``str``: the English text an API error body carries, the same whatever
``Accept-Language`` says. It also keeps its catalogue template (marked with ``gettext_noop`` where it is written)
and its parameters, so a page shows it translated (``localized``, in the active language): pages translate at
render time, the API's bodies never change. A parameter may be a ``LocalText``, a form's own text (a field's label)
that carries its translations, so "Vorname ist erforderlich." names the field as the German page does.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext


class Message(str):
    """``template % params`` in English (the API's text), translatable on a page (``localized``)."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Message:
        message = super().__new__(cls, template % params)
        message.template = template
        message.params = params
        return message

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:  # pickle and deepcopy rebuild it whole
        return (self.template,), self.params

    def translated(self) -> str:
        return gettext(self.template) % {name: localized(value) for name, value in self.params.items()}


class LocalText(str):
    """A form's own text (in its default language) with its translations: language -> text."""

    translations: dict[str, str]

    def __new__(cls, text: str, translations: dict[str, str] | None = None) -> LocalText:
        local = super().__new__(cls, text)
        local.translations = dict(translations or {})
        return local

    def __getnewargs_ex__(self) -> tuple[tuple[str, dict[str, str]], dict[str, Any]]:
        return (str(self), self.translations), {}

    def translated(self) -> str:
        language = (get_language() or "").lower()
        for code in (language, language.split("-", 1)[0]):
            if self.translations.get(code):
                return self.translations[code]
        return str(self)


def localized(value: Any) -> Any:
    """A message or a form's text in the active language; anything else as it is."""
    return value.translated() if isinstance(value, Message | LocalText) else value


def localized_errors(errors: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors (path -> messages) as a page shows them: every message in the active language."""
    return {
        path: [str(localized(message)) for message in (messages if isinstance(messages, list) else [messages])]
        for path, messages in errors.items()
    }

"""Free-text types: text, textarea, email, tel, url."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext_noop

from submissions.formschema.fieldtypes.base import CleanContext, FieldType, constraints_spec, string_value
from submissions.formschema.schema import Field, Invalid, SchemaErrors

# A bound that holds even when a field sets none, so one value cannot be megabytes of text.
FALLBACK_MAX_LENGTH = 1_000
_TEL = re.compile(r"^\+?[0-9 ()\-./]{3,30}$")
_EMAIL = EmailValidator()
_URL = URLValidator(schemes=["http", "https"])


class TextType(FieldType):
    name = "text"
    widget = "text"
    constraints = frozenset({"minLength", "maxLength", "pattern"})
    default_max_length: ClassVar[int] = FALLBACK_MAX_LENGTH

    def check_constraints(self, constraints: dict[str, Any], where: str, errors: SchemaErrors) -> None:
        if "pattern" in constraints:
            try:
                re.compile(constraints["pattern"])
            except (re.error, TypeError):
                errors.add(f"{where}: constraint 'pattern' is not a valid regular expression.")

    def max_length(self, field: Field) -> int:
        return int(field.constraints.get("maxLength", self.default_max_length))

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> str:
        text = string_value(field, value)
        max_length = self.max_length(field)
        if len(text) > max_length:
            raise Invalid(gettext_noop("Must be at most %(limit)s characters."), limit=max_length)
        if len(text) < field.constraints.get("minLength", 0):
            raise Invalid(gettext_noop("Must be at least %(limit)s characters."), limit=field.constraints["minLength"])
        pattern = field.constraints.get("pattern")
        if pattern and not re.fullmatch(pattern, text):
            raise Invalid(gettext_noop("Does not match the required format."))
        self.check_format(text)
        return text

    def check_format(self, text: str) -> None:
        """What the type itself asks of the text (an address, a number...); raises ``Invalid``."""

    def spec(self, field: Field, language: str | None = None) -> dict[str, Any]:
        return {"maxLength": self.max_length(field), **constraints_spec(field, "minLength", "pattern")}


class TextareaType(TextType):
    name = "textarea"
    widget = "textarea"
    default_max_length = 20_000


class EmailType(TextType):
    name = "email"
    widget = "email"

    def check_format(self, text: str) -> None:
        try:
            _EMAIL(text)
        except DjangoValidationError as exc:
            raise Invalid(gettext_noop("Must be a valid email address.")) from exc


class TelType(TextType):
    name = "tel"
    widget = "tel"

    def check_format(self, text: str) -> None:
        if not _TEL.match(text) or sum(ch.isdigit() for ch in text) < 3:
            raise Invalid(gettext_noop("Must be a valid phone number."))


class UrlType(TextType):
    name = "url"
    widget = "url"
    default_max_length = 2_000

    def check_format(self, text: str) -> None:
        try:
            _URL(text)
        except DjangoValidationError as exc:
            raise Invalid(gettext_noop("Must be a valid http(s) URL.")) from exc

"""Answers chosen from a list: select, radio (one option), checkbox, multiselect (several), country, yesno."""

from __future__ import annotations

import gettext
import unicodedata
from functools import cache
from typing import Any

import pycountry
from django.utils.translation import gettext_noop

from submissions.formschema.displaysql import PYTHON_CELL, Answer, labels_case, literal, of_str
from submissions.formschema.fieldtypes.base import (
    CleanContext,
    FieldType,
    constraints_spec,
    in_language,
    string_value,
)
from submissions.formschema.schema import Field, Invalid

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)


def _options_spec(field: Field, language: str | None) -> list[dict[str, str]]:
    return [{"value": value, "label": field.option_label(value, language)} for value in field.options]


class SelectType(FieldType):
    name = "select"
    widget = "select"
    takes_options = True

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> str:
        text = string_value(field, value)
        if text not in field.options:
            raise Invalid(
                gettext_noop("%(value)r is not one of the options %(options)s."),
                value=text,
                options=list(field.options),
            )
        return text

    def display(self, field: Field, value: Any, language: str | None = None) -> str:
        return field.option_label(str(value), language)

    def display_sql(self, field: Field, answer: Answer) -> str | None:
        return of_str(answer, lambda text: labels_case(text, field.option_labels))

    def spec(self, field: Field, language: str | None = None) -> dict[str, Any]:
        return {"options": _options_spec(field, language)}


class RadioType(SelectType):
    name = "radio"
    widget = "radio"


class CheckboxType(FieldType):
    name = "checkbox"
    widget = "checkboxes"
    takes_options = True
    column = False
    constraints = frozenset({"minSelected", "maxSelected"})

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(choice, str) for choice in value):
            raise Invalid(gettext_noop("Must be a list of option values."))
        unknown = [choice for choice in value if choice not in field.options]
        if unknown:
            raise Invalid(
                gettext_noop("%(values)s not among the options %(options)s."),
                values=unknown,
                options=list(field.options),
            )
        if len(set(value)) != len(value):
            raise Invalid(gettext_noop("Each option may be chosen once."))
        low, high = field.constraints.get("minSelected"), field.constraints.get("maxSelected")
        if low is not None and value and len(value) < low:
            raise Invalid(gettext_noop("Choose at least %(count)s."), count=low)
        if high is not None and len(value) > high:
            raise Invalid(gettext_noop("Choose at most %(count)s."), count=high)
        return list(value)

    def display(self, field: Field, value: Any, language: str | None = None) -> str:
        return ", ".join(field.option_label(choice, language) for choice in value)

    def display_sql(self, field: Field, answer: Answer) -> str | None:
        """A list of strings in its order; anything else (which Python iterates, or fails on) is Python's."""
        label = labels_case("(choice #>> '{}')", field.option_labels)
        value = answer.value
        return (
            f"CASE WHEN {answer.kind} <> 'array' THEN {literal(PYTHON_CELL)} ELSE (SELECT CASE WHEN "
            f"bool_and(jsonb_typeof(choice) = 'string') IS FALSE THEN {literal(PYTHON_CELL)} "
            f"ELSE string_agg({label}, ', ' ORDER BY n) END "
            f"FROM jsonb_array_elements({value}) WITH ORDINALITY AS choices(choice, n)) END"
        )

    def spec(self, field: Field, language: str | None = None) -> dict[str, Any]:
        return {"options": _options_spec(field, language), **constraints_spec(field, "minSelected", "maxSelected")}


class MultiselectType(CheckboxType):
    name = "multiselect"
    widget = "multiselect"


@cache
def _country_names(language: str | None) -> gettext.NullTranslations:
    """pycountry's own translations of the country names (``de``: Deutschland), English when it has none."""
    if not language:
        return gettext.NullTranslations()
    variants = [language.replace("-", "_"), language.split("-", 1)[0]]
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=variants, fallback=True)


def country_name(code: str, language: str | None = None) -> str | None:
    country = pycountry.countries.get(alpha_2=code)
    return _country_names(language).gettext(country.name) if country else None


@cache
def country_options(language: str | None = None) -> tuple[dict[str, str], ...]:
    """Every ISO 3166-1 country, by name in ``language``: what a searchable select offers (codes are stored)."""
    names = _country_names(language)
    options = [{"value": country.alpha_2, "label": names.gettext(country.name)} for country in pycountry.countries]
    return tuple(sorted(options, key=lambda option: _sort_key(option["label"])))


def _sort_key(name: str) -> str:
    """Names in alphabetical order whatever their accents (Österreich beside Oman, not after Zypern)."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)).casefold()


@cache
def _country_case(code: str) -> str:
    """The English name of a lower-case alpha-2 code expression, or NULL."""
    arms = " ".join(f"WHEN {literal(c.alpha_2.lower())} THEN {literal(c.name)}" for c in pycountry.countries)
    return f"CASE {code} {arms} END"


def _country_sql(text: str) -> str:
    return (
        f"CASE WHEN {text} ~ '^[A-Za-z]{{2}}$' THEN COALESCE({_country_case(f'lower({text})')} || ' (' || "
        f"{text} || ')', {text}) WHEN {text} ~ '^[\\x01-\\x7f]*$' THEN {text} ELSE {literal(PYTHON_CELL)} END"
    )


class CountryType(FieldType):
    name = "country"
    widget = "country"

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> str:
        text = string_value(field, value).upper()
        if text not in COUNTRY_CODES:
            raise Invalid(gettext_noop("Must be an ISO 3166-1 alpha-2 country code, like 'US'."))
        return text

    def display(self, field: Field, value: Any, language: str | None = None) -> str:
        name = country_name(str(value), language)
        return f"{name} ({value})" if name else str(value)

    def display_sql(self, field: Field, answer: Answer) -> str | None:
        """pycountry finds a code whatever its case; a non-ASCII text (which Python's ``lower`` may turn into a
        code) is Python's."""
        return of_str(answer, _country_sql)

    def spec(self, field: Field, language: str | None = None) -> dict[str, Any]:
        return {"options": [dict(option) for option in country_options(language)]}


class YesNoType(FieldType):
    name = "yesno"
    widget = "yesno"

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> bool:
        if not isinstance(value, bool):
            raise Invalid(gettext_noop("Must be true or false."))
        return value

    def display(self, field: Field, value: Any, language: str | None = None) -> str:
        return in_language(gettext_noop("Yes") if value else gettext_noop("No"), language)

    def display_sql(self, field: Field, answer: Answer) -> str | None:
        """Python's truth of the value (an answer is never a blank string here: that is no answer)."""
        value, text = answer.value, answer.text
        truth = (
            f"CASE {answer.kind} WHEN 'boolean' THEN {text} = 'true' WHEN 'number' THEN {text}::numeric <> 0 "
            f"WHEN 'array' THEN jsonb_array_length({value}) > 0 WHEN 'object' THEN {value} <> '{{}}' "
            f"ELSE {text} <> '' END"
        )
        return f"CASE WHEN {truth} THEN 'Yes' ELSE 'No' END"

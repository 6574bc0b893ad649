"""Answers chosen from a list: select, radio (one option), checkbox, multiselect (several), country, yesno."""

from __future__ import annotations

from functools import cache
from typing import Any

import pycountry

from submissions.formschema.fieldtypes.base import CleanContext, FieldType, constraints_spec, string_value
from submissions.formschema.schema import Field, Invalid

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)


def _options_spec(field: Field) -> list[dict[str, str]]:
    return [{"value": value, "label": field.option_labels[value]} for value in field.options]


class SelectType(FieldType):
    name = "select"
    widget = "select"
    takes_options = True

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> str:
        text = string_value(field, value)
        if text not in field.options:
            raise Invalid(f"{text!r} is not one of the options {list(field.options)}.")
        return text

    def display(self, field: Field, value: Any) -> str:
        return field.option_labels.get(value, str(value))

    def spec(self, field: Field) -> dict[str, Any]:
        return {"options": _options_spec(field)}


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
            raise Invalid("Must be a list of option values.")
        unknown = [choice for choice in value if choice not in field.options]
        if unknown:
            raise Invalid(f"{unknown} not among the options {list(field.options)}.")
        if len(set(value)) != len(value):
            raise Invalid("Each option may be chosen once.")
        low, high = field.constraints.get("minSelected"), field.constraints.get("maxSelected")
        if low is not None and value and len(value) < low:
            raise Invalid(f"Choose at least {low}.")
        if high is not None and len(value) > high:
            raise Invalid(f"Choose at most {high}.")
        return list(value)

    def display(self, field: Field, value: Any) -> str:
        return ", ".join(field.option_labels.get(choice, choice) for choice in value)

    def spec(self, field: Field) -> dict[str, Any]:
        return {"options": _options_spec(field), **constraints_spec(field, "minSelected", "maxSelected")}


class MultiselectType(CheckboxType):
    name = "multiselect"
    widget = "multiselect"


@cache
def country_options() -> tuple[dict[str, str], ...]:
    """Every ISO 3166-1 country, by name: what a searchable select offers (codes are what is stored)."""
    return tuple(
        {"value": country.alpha_2, "label": country.name}
        for country in sorted(pycountry.countries, key=lambda country: country.name)
    )


class CountryType(FieldType):
    name = "country"
    widget = "country"

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> str:
        text = string_value(field, value).upper()
        if text not in COUNTRY_CODES:
            raise Invalid("Must be an ISO 3166-1 alpha-2 country code, like 'US'.")
        return text

    def display(self, field: Field, value: Any) -> str:
        country = pycountry.countries.get(alpha_2=value)
        return f"{country.name} ({value})" if country else str(value)

    def spec(self, field: Field) -> dict[str, Any]:
        return {"options": [dict(option) for option in country_options()]}


class YesNoType(FieldType):
    name = "yesno"
    widget = "yesno"

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> bool:
        if not isinstance(value, bool):
            raise Invalid("Must be true or false.")
        return value

    def display(self, field: Field, value: Any) -> str:
        return "Yes" if value else "No"

"""The compiled form schema: what the parser (``compile``) builds and every other module reads."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any

from config.errors import ValidationFailed
from config.messages import LocalText, Message

if TYPE_CHECKING:
    from submissions.formschema.fieldtypes.base import FieldType

KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
# A language tag as Django spells them (``de``, ``pt-br``): what ``defaultLanguage`` and ``translations`` take.
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
DEFAULT_LANGUAGE = "en"
MAX_ROWS = 500

# A schema object's texts in other languages: language -> attribute (label, helpText, title...) -> text.
Translations = dict[str, dict[str, str]]


def translated(base: str, translations: Translations, name: str, language: str | None) -> str:
    """``name``'s text in ``language`` (``de-at`` falls back to ``de``), else ``base`` (the form's own language)."""
    if language:
        language = language.lower()
        for code in (language, language.split("-", 1)[0]):
            text = translations.get(code, {}).get(name)
            if text:
                return text
    return base


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return (is_int(value) or isinstance(value, float)) and math.isfinite(value)


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass
class Condition:
    """A parsed condition: a leaf (``field`` set) or a group (``mode`` all/any with ``children``)."""

    field: str | None = None
    operator: str = ""
    value: Any = None
    mode: str = ""
    children: list[Condition] = dc_field(default_factory=list)

    def refs(self) -> set[str]:
        if self.field is not None:
            return {self.field}
        return set().union(*(child.refs() for child in self.children))

    def as_json(self) -> dict[str, Any]:
        """The condition with canonical operator names, as the browser's engine reads it."""
        if self.field is None:
            return {self.mode: [child.as_json() for child in self.children]}
        return {"field": self.field, "operator": self.operator, "value": self.value}


@dataclass
class Field:
    """A field of the form, or a column of a table_fill field (``source_field`` set on columns only)."""

    key: str
    type: str
    label: str
    handler: FieldType
    required: bool = False
    options: tuple[str, ...] = ()
    option_labels: dict[str, str] = dc_field(default_factory=dict)
    constraints: dict[str, Any] = dc_field(default_factory=dict)
    condition: Condition | None = None
    columns: list[Field] = dc_field(default_factory=list)
    source_field: str | None = None
    section: Section | None = None
    source_section: Section | None = None  # table_fill with source columns
    texts: dict[str, str] = dc_field(default_factory=dict)  # placeholder, helpText, description: display only
    translations: Translations = dc_field(default_factory=dict)  # label and texts in other languages
    option_translations: dict[str, Translations] = dc_field(default_factory=dict)  # option value -> its label's

    def text(self, name: str, language: str | None) -> str:
        """The field's ``label`` or one of its ``texts`` in ``language``, falling back to the form's own."""
        return translated(
            self.label if name == "label" else self.texts.get(name, ""), self.translations, name, language
        )

    def local_label(self) -> LocalText:
        """The label with its translations, for a message that names the field (``%(label)s is required.``)."""
        return LocalText(
            self.label, {code: texts["label"] for code, texts in self.translations.items() if "label" in texts}
        )

    def option_label(self, value: str, language: str | None) -> str:
        return translated(
            self.option_labels.get(value, value), self.option_translations.get(value, {}), "label", language
        )

    @property
    def scope(self) -> str | None:
        """The repeatable section this field lives in, or None for the top level."""
        return self.section.id if self.section is not None and self.section.repeatable else None


@dataclass
class Section:
    id: str
    repeatable: bool
    fields: list[Field]
    condition: Condition | None = None
    title: str = ""
    description: str = ""
    min_items: int | None = None
    max_items: int | None = None
    translations: Translations = dc_field(default_factory=dict)  # title and description in other languages

    def text(self, name: str, language: str | None) -> str:
        return translated(getattr(self, name), self.translations, name, language)

    @property
    def items_key(self) -> str:
        return f"{self.id}_items"


@dataclass
class CompiledSchema:
    fields: dict[str, Field]  # every field by key, section fields included
    top_fields: list[Field]  # fields outside any section, in schema order
    sections: list[Section]
    top_order: list[Field | Section]  # top-level fields and sections, in evaluation (dependency) order
    row_orders: dict[str, list[Field]]  # repeatable section id -> its fields in evaluation order
    display_order: list[str]  # top-level data keys in schema order
    default_language: str = DEFAULT_LANGUAGE  # the language of the schema's own texts


class SchemaErrors:
    """The messages of an invalid schema, collected so the author sees them all at once."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationFailed(
                f"Invalid form schema: {self.messages[0]}",
                code="INVALID_FORM_SCHEMA",
                details={"schema": self.messages},
            )


class Invalid(Exception):
    """One value is wrong; the message (``template % params``, see ``config.messages``) is shown under its path."""

    def __init__(self, template: str, **params: Any) -> None:
        self.message = Message(template, **params)
        super().__init__(self.message)

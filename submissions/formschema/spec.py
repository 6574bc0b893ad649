"""What a browser needs to render a form and check it as the server will: ``render_spec(schema)``, JSON-able.

::

    {"language", "defaultLanguage",                      # the texts' language; the schema's own
     "fields": [<field>, ...], "sections": [<section>, ...],
     "order": ["field:<key>" | "section:<id>", ...]}     # the server's evaluation (dependency) order
    <field>   = {"key", "type", "widget", "label", "required",
                 "placeholder"?, "helpText"?, "description"?, "condition"?,   # condition: canonical operators
                 ...what the type adds: "options" [{value, label}], "min"/"max", "integer", "maxLength",
                 "minLength", "pattern", "minSelected"/"maxSelected", "accept", "multiple", "maxFiles",
                 "columns" [<field> with "sourceField"?], "minRows"/"maxRows", "sourceSection"}
    <section> = {"id", "title", "description", "repeatable", "itemsKey"?, "minItems"?, "maxItems"?,
                 "condition"?, "fields": [<field>, ...], "rowOrder"?: [<key>, ...]}

A field inside a repeatable section is answered once per row, under ``itemsKey``; its condition may name a
field of its own row. Hidden fields send no value; the server evaluates the same conditions on submit. ``order``
and ``rowOrder`` give the order the server's walk (``walk``) visits top-level nodes and a row's fields in, so the
browser's engine (``static/js/formengine.js``) decides visibility exactly as the server does.
"""

from __future__ import annotations

from typing import Any, Literal

from django.utils.translation import get_language

from submissions.formschema.compile import compile_schema
from submissions.formschema.schema import CompiledSchema, Field, Section


def field_spec(item: Field, language: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "key": item.key,
        "type": item.type,
        "widget": item.handler.widget,
        "label": item.text("label", language),
        "required": item.required,
        **{name: item.text(name, language) for name in item.texts},
    }
    if item.condition is not None:
        spec["condition"] = item.condition.as_json()
    if item.source_field is not None:
        spec["sourceField"] = item.source_field
    return spec | item.handler.spec(item, language)


def _section_spec(section: Section, compiled: CompiledSchema, language: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "id": section.id,
        "title": section.text("title", language),
        "description": section.text("description", language),
        "repeatable": section.repeatable,
    }
    if section.repeatable:
        spec["itemsKey"] = section.items_key
        bounds = (("minItems", section.min_items), ("maxItems", section.max_items))
        spec |= {name: bound for name, bound in bounds if bound is not None}
    if section.condition is not None:
        spec["condition"] = section.condition.as_json()
    spec["fields"] = [field_spec(item, language) for item in section.fields]
    if section.repeatable:
        spec["rowOrder"] = [item.key for item in compiled.row_orders[section.id]]
    return spec


def render_spec(schema: dict[str, Any], language: str | None | Literal["active"] = "active") -> dict[str, Any]:
    """The browser's view of ``schema`` (see the module docstring); raises like ``validate_form_schema``.

    Labels, help texts, section titles and option labels are in ``language`` (by default the active one, which
    LocaleMiddleware or the page chose) where the schema translates them, else in its own ``defaultLanguage``.
    """
    compiled = compile_schema(schema)
    if language == "active":
        language = get_language()
    return {
        "language": language or compiled.default_language,
        "defaultLanguage": compiled.default_language,
        "fields": [field_spec(item, language) for item in compiled.top_fields],
        "sections": [_section_spec(section, compiled, language) for section in compiled.sections],
        "order": [
            f"section:{node.id}" if isinstance(node, Section) else f"field:{node.key}" for node in compiled.top_order
        ],
    }

"""Compiling a schema: parse it whole, check what spans fields (keys, references, cycles), order the evaluation."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from submissions.formschema.parse import parse_field
from submissions.formschema.schema import (
    DEFAULT_LANGUAGE,
    LANGUAGE_PATTERN,
    CompiledSchema,
    Condition,
    Field,
    SchemaErrors,
    Section,
)
from submissions.formschema.sections import parse_section
from submissions.formschema.tables import link_source_columns

_SECTION_NODE = "section:"


def compile_schema(schema: Any) -> CompiledSchema:
    """The compiled schema; raises ``ValidationFailed`` (code ``INVALID_FORM_SCHEMA``) with every problem found.

    A form version's schema is compiled on every request that reads or writes its data, several times for a
    public action; the last few compiled ones are kept, keyed by their JSON text. Callers never change one.
    """
    try:
        text = json.dumps(schema)
    except (TypeError, ValueError):  # not JSON at all: compiling says what is wrong
        return _compile(schema)
    return _compile_text(text)


@lru_cache(maxsize=128)
def _compile_text(text: str) -> CompiledSchema:
    return _compile(json.loads(text))


def _compile(schema: Any) -> CompiledSchema:
    errors = SchemaErrors()
    top_fields, sections = _parse(schema, errors)
    default_language = _default_language(schema, errors)
    fields = _index(top_fields, sections, errors)
    for item in fields.values():
        _check_refs(fields, item.condition, f"field '{item.key}'", item.scope, errors)
    for section in sections:
        _check_refs(fields, section.condition, f"section '{section.id}'", None, errors)
    link_source_columns(fields, errors)
    errors.raise_if_any()
    order = _evaluation_order(fields, sections, errors)
    errors.raise_if_any()

    by_id = {section.id: section for section in sections}
    top_order: list[Field | Section] = []
    row_orders: dict[str, list[Field]] = {section.id: [] for section in sections if section.repeatable}
    for node in order:
        if node.startswith(_SECTION_NODE):
            top_order.append(by_id[node.removeprefix(_SECTION_NODE)])
        elif (scope := fields[node].scope) is None:
            top_order.append(fields[node])
        else:
            row_orders[scope].append(fields[node])
    # Tables filled from a section come after it, whatever their conditions name.
    top_order.sort(key=lambda node: 1 if isinstance(node, Field) and node.source_section is not None else 0)
    return CompiledSchema(
        fields=fields,
        top_fields=top_fields,
        sections=sections,
        top_order=top_order,
        row_orders=row_orders,
        display_order=_display_order(top_fields, sections),
        default_language=default_language,
    )


def _parse(schema: Any, errors: SchemaErrors) -> tuple[list[Field], list[Section]]:
    if not isinstance(schema, dict):
        errors.add("the schema must be an object with 'fields' (and optionally 'sections').")
        errors.raise_if_any()
    unknown = set(schema) - {"fields", "sections", "defaultLanguage"}
    if unknown:
        errors.add(
            f"unknown top-level attribute(s) {sorted(unknown)}; a schema has 'fields', 'sections' and "
            "'defaultLanguage'."
        )
    raw_fields = schema.get("fields", [])
    raw_sections = schema.get("sections", [])
    if not isinstance(raw_fields, list) or not isinstance(raw_sections, list):
        errors.add("'fields' and 'sections' must be lists.")
        errors.raise_if_any()
    top_fields = [parsed for raw in raw_fields if (parsed := parse_field(raw, "field", errors)) is not None]
    sections = [section for raw in raw_sections if (section := parse_section(raw, errors)) is not None]
    if not top_fields and not any(section.fields for section in sections):
        errors.add("a form needs at least one field.")
    return top_fields, sections


def _default_language(schema: dict[str, Any], errors: SchemaErrors) -> str:
    """The language the schema's own labels and texts are written in (``translations`` hold the others)."""
    language = schema.get("defaultLanguage", DEFAULT_LANGUAGE)
    if isinstance(language, str) and LANGUAGE_PATTERN.match(language):
        return language
    errors.add(f"'defaultLanguage' must be a language code like 'en' or 'de' (got {language!r}).")
    return DEFAULT_LANGUAGE


def _index(top_fields: list[Field], sections: list[Section], errors: SchemaErrors) -> dict[str, Field]:
    """Every field by key; keys are unique in the whole form and never a repeatable section's data key."""
    fields: dict[str, Field] = {}
    data_keys: set[str] = set()
    section_ids: set[str] = set()
    for section in sections:
        if section.id in section_ids:
            errors.add(f"duplicate section id '{section.id}'.")
        section_ids.add(section.id)
        if section.repeatable:
            data_keys.add(section.items_key)
    for item in [*top_fields, *(f for s in sections for f in s.fields)]:
        if item.key in fields or item.key in data_keys:
            errors.add(f"duplicate field key '{item.key}'.")
            continue
        fields[item.key] = item
        if item.scope is None:
            data_keys.add(item.key)
    return fields


def _check_refs(
    fields: dict[str, Field], condition: Condition | None, where: str, own_scope: str | None, errors: SchemaErrors
) -> None:
    """A condition names existing fields of the top level or of its own repeatable section."""
    for ref in sorted(condition.refs()) if condition else []:
        target = fields.get(ref)
        if target is None:
            errors.add(f"{where}: condition on a missing field '{ref}'.")
        elif target.scope not in (None, own_scope):
            errors.add(
                f"{where}: condition on '{ref}', a field of repeatable section '{target.scope}'; "
                "only that section's own fields may refer to it."
            )


def _evaluation_order(fields: dict[str, Field], sections: list[Section], errors: SchemaErrors) -> list[str]:
    """A field depends on what its condition names and on its section; a section on what its condition names."""
    graph: dict[str, set[str]] = {}
    for item in fields.values():
        deps = set(item.condition.refs()) if item.condition else set()
        if item.section is not None:
            deps.add(_SECTION_NODE + item.section.id)
        graph[item.key] = deps
    for section in sections:
        graph[_SECTION_NODE + section.id] = set(section.condition.refs()) if section.condition else set()
    return _topological(graph, errors, _describe)


def _describe(node: str) -> str:
    if node.startswith(_SECTION_NODE):
        return f"section '{node.removeprefix(_SECTION_NODE)}'"
    return f"'{node}'"


def _topological(nodes: dict[str, set[str]], errors: SchemaErrors, describe: Callable[[str], str]) -> list[str]:
    """Nodes ordered so each comes after what it depends on; a cycle is reported once and broken."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            cycle = path[path.index(node) :] + [node]
            errors.add("circular condition: " + " -> ".join(describe(n) for n in cycle) + ".")
            return
        state[node] = 1
        for dependency in sorted(nodes.get(node, ())):
            if dependency in nodes:
                visit(dependency, [*path, node])
        state[node] = 2
        order.append(node)

    for node in nodes:
        visit(node, [])
    return order


def _display_order(top_fields: list[Field], sections: list[Section]) -> list[str]:
    order = [item.key for item in top_fields]
    for section in sections:
        if section.repeatable:
            order.append(section.items_key)
        else:
            order.extend(item.key for item in section.fields)
    return order

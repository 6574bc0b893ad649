"""Sections: parsing one, and walking the rows of a repeatable one (stored under ``{sectionId}_items``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_noop

from config.messages import Message
from submissions.formschema.conditions import parse_condition
from submissions.formschema.parse import parse_field, parse_translations, shown_text
from submissions.formschema.schema import KEY_PATTERN, SchemaErrors, Section, is_int

if TYPE_CHECKING:
    from submissions.formschema.walk import Walk

_SECTION_ATTRIBUTES = frozenset(
    {"id", "title", "repeatable", "fields", "condition", "minItems", "maxItems", "description", "translations"}
)


def parse_section(raw: Any, errors: SchemaErrors) -> Section | None:
    """The parsed section, or None when it cannot be parsed at all; every problem is added to ``errors``."""
    if not isinstance(raw, dict):
        errors.add("sections: a section must be an object.")
        return None
    section_id = raw.get("id")
    if not isinstance(section_id, str) or not KEY_PATTERN.match(section_id):
        errors.add(f"section: 'id' must match {KEY_PATTERN.pattern} (got {section_id!r}).")
        return None
    where = f"section '{section_id}'"
    unknown = set(raw) - _SECTION_ATTRIBUTES
    if unknown:
        errors.add(f"{where}: unknown attribute(s) {sorted(unknown)}.")
    repeatable = raw.get("repeatable", False)
    if not isinstance(repeatable, bool):
        errors.add(f"{where}: 'repeatable' must be true or false.")
        repeatable = False
    title, description = raw.get("title", section_id), raw.get("description", "")
    section = Section(
        id=section_id,
        repeatable=repeatable,
        fields=[],
        title=shown_text(title) if isinstance(title, str) else section_id,
        description=shown_text(description) if isinstance(description, str) else "",
        translations=parse_translations(raw.get("translations"), ("title", "description"), where, errors),
    )
    _parse_fields(section, raw.get("fields"), where, errors)
    if "condition" in raw:
        section.condition = parse_condition(raw["condition"], where, errors)
    _parse_item_bounds(section, raw, where, errors)
    return section


def _parse_fields(section: Section, raw_fields: Any, where: str, errors: SchemaErrors) -> None:
    if not isinstance(raw_fields, list):
        errors.add(f"{where}: 'fields' must be a list.")
        return
    for raw_field in raw_fields:
        parsed = parse_field(raw_field, f"{where} field", errors)
        if parsed is None:
            continue
        if section.repeatable and parsed.type == "table_fill":
            errors.add(f"{where}: a repeatable section cannot hold a table_fill field ('{parsed.key}').")
        parsed.section = section
        section.fields.append(parsed)


def _parse_item_bounds(section: Section, raw: dict[str, Any], where: str, errors: SchemaErrors) -> None:
    for name, attr in (("minItems", "min_items"), ("maxItems", "max_items")):
        if name not in raw:
            continue
        if not section.repeatable:
            errors.add(f"{where}: '{name}' applies to repeatable sections only.")
        elif not (is_int(raw[name]) and raw[name] >= 0):
            errors.add(f"{where}: '{name}' must be a non-negative integer.")
        else:
            setattr(section, attr, raw[name])


def walk_items(walk: Walk, section: Section, raw: Any, top: dict[str, Any]) -> list[dict[str, Any]]:
    """The kept rows of a repeatable section. A field's condition may name a field of its own row."""
    path = section.items_key
    known = {item.key for item in section.fields}
    rows = [
        _walk_row(walk, section, row, f"{path}[{index}]", known, top)
        for index, row in enumerate(walk.rows(raw, path, "item"))
    ]
    walk.bounds(path, len(rows), section.min_items, section.max_items, "item")
    needs_one = section.min_items is None and any(item.required for item in section.fields)
    if walk.require_required and needs_one and not rows:
        walk.error(path, Message(gettext_noop("At least one item is required.")))
    return rows


def _walk_row(
    walk: Walk, section: Section, row: dict[str, Any], row_path: str, known: set[str], top: dict[str, Any]
) -> dict[str, Any]:
    walk.unknown_keys(row, known, f"{row_path}.", "field")
    kept: dict[str, Any] = {}

    def lookup(key: str) -> Any:
        return kept.get(key) if key in known else top.get(key)

    for item in walk.compiled.row_orders[section.id]:
        path = f"{row_path}.{item.key}"
        if not walk.shown(item, lookup, path):
            continue
        value = walk.value(item, row.get(item.key), path)
        walk.require(item, value, path)
        if value is not None:
            kept[item.key] = value
    return {item.key: kept[item.key] for item in section.fields if item.key in kept}

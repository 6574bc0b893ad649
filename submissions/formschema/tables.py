"""table_fill: a grid of rows keyed by column key; ``sourceField`` columns are filled from a repeatable section.

A table with source columns has one row per item of that section (all its source columns name one section),
and the source columns take the item's value, whatever the client sent there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_noop

from config.messages import Message
from submissions.formschema.displaysql import Answer
from submissions.formschema.fieldtypes.base import CleanContext, FieldType, constraints_spec
from submissions.formschema.schema import Field, SchemaErrors

if TYPE_CHECKING:
    from submissions.formschema.walk import Walk


class TableFillType(FieldType):
    name = "table_fill"
    widget = "table"
    column = False
    constraints = frozenset({"minRows", "maxRows"})

    def clean(self, field: Field, value: Any, path: str, context: CleanContext) -> Any:
        raise AssertionError("a table is walked row by row (walk_table)")

    def display_sql(self, field: Field, answer: Answer) -> str | None:
        return None  # a table of its own: the export's Python writer

    def spec(self, field: Field, language: str | None = None) -> dict[str, Any]:
        from submissions.formschema.spec import field_spec

        spec = {
            "columns": [field_spec(column, language) for column in field.columns],
            **constraints_spec(field, "minRows", "maxRows"),
        }
        if field.source_section is not None:
            spec["sourceSection"] = field.source_section.id
        return spec


def link_source_columns(fields: dict[str, Field], errors: SchemaErrors) -> None:
    """Point each table with ``sourceField`` columns at the repeatable section they name."""
    for item in fields.values():
        source_sections = set()
        for column in item.columns:
            if column.source_field is None:
                continue
            source = fields.get(column.source_field)
            if source is None or source.scope is None or source.section is None:
                errors.add(
                    f"table '{item.key}' column '{column.key}': sourceField '{column.source_field}' "
                    "is not a field of a repeatable section."
                )
                continue
            source_sections.add(source.section.id)
            item.source_section = source.section
        if len(source_sections) > 1:
            errors.add(f"table '{item.key}': all sourceField columns must come from one repeatable section.")


def walk_table(walk: Walk, item: Field, raw: Any, top: dict[str, Any]) -> list[dict[str, Any]]:
    """The kept rows of a table; with source columns, one per item of the source section."""
    path = item.key
    rows = walk.rows(raw, path, "row")
    source_items: list[dict[str, Any]] | None = None
    if item.source_section is not None:
        source_items = top.get(item.source_section.items_key) or []
        if len(rows) > len(source_items):
            walk.error(
                path,
                Message(
                    gettext_noop(
                        "Has %(rows)s rows but section '%(section)s' has %(items)s item(s); "
                        "the table has one row per item."
                    ),
                    rows=len(rows),
                    section=item.source_section.id,
                    items=len(source_items),
                ),
            )
            return []
        rows = rows + [{} for _ in range(len(source_items) - len(rows))]
    known = {column.key for column in item.columns}
    kept_rows = []
    for index, row in enumerate(rows):
        row_path = f"{path}[{index}]"
        walk.unknown_keys(row, known, f"{row_path}.", "column")
        source = source_items[index] if source_items is not None else None
        kept_rows.append(_walk_row(walk, item, row, row_path, source))
    walk.bounds(path, len(kept_rows), item.constraints.get("minRows"), item.constraints.get("maxRows"), "row")
    return kept_rows


def _walk_row(
    walk: Walk, item: Field, row: dict[str, Any], row_path: str, source: dict[str, Any] | None
) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for column in item.columns:
        if column.source_field is not None and source is not None:
            value = source.get(column.source_field)
        else:
            value = walk.value(column, row.get(column.key), f"{row_path}.{column.key}")
            walk.require(column, value, f"{row_path}.{column.key}")
        if value is not None:
            kept[column.key] = value
    return kept

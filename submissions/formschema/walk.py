"""The one pass over a form's data that decides what is shown: the cleaner and the visibility engine share it.

Fields and sections are visited in dependency order; a field or section whose condition fails is hidden and
has no value, so what depends on it sees none. ``value`` says what is kept of an answer: the cleaner's checks
it by type, the visibility engine keeps it as given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_noop

from config.messages import Message
from submissions.formschema.conditions import holds
from submissions.formschema.schema import MAX_ROWS, CompiledSchema, Field, Section, is_empty
from submissions.formschema.sections import walk_items
from submissions.formschema.tables import walk_table

# The messages about rows (of a table) and items (of a repeatable section), one catalogue entry each.
_AT_MOST = {"item": gettext_noop("At most %(count)s item(s)."), "row": gettext_noop("At most %(count)s row(s).")}
_AT_LEAST = {"item": gettext_noop("At least %(count)s item(s)."), "row": gettext_noop("At least %(count)s row(s).")}
_LIST_OF = {
    "item": gettext_noop("Must be a list of item objects."),
    "row": gettext_noop("Must be a list of row objects."),
}
_UNKNOWN = {"field": gettext_noop("Unknown field."), "column": gettext_noop("Unknown column.")}


class Walk:
    """Visits ``data`` along ``compiled``; subclasses say what a value becomes (``value``) and what is required."""

    def __init__(self, compiled: CompiledSchema, *, require_required: bool = False) -> None:
        self.compiled = compiled
        self.require_required = require_required
        self.errors: dict[str, list[str]] = {}
        self.visible_fields: list[str] = []  # field keys, and ``{items_key}[i].{key}`` inside repeat rows
        self.visible_sections: list[str] = []

    def error(self, path: str, message: Message) -> None:
        self.errors.setdefault(path, []).append(message)

    def value(self, item: Field, raw: Any, path: str) -> Any:
        """What is kept of ``raw``, or None for "no answer"."""
        raise NotImplementedError

    def require(self, item: Field, value: Any, path: str) -> None:
        """A required field without an answer; an answer already refused is not also called missing."""
        if self.require_required and item.required and is_empty(value) and path not in self.errors:
            self.error(path, Message(gettext_noop("%(label)s is required."), label=item.local_label()))

    def bounds(self, path: str, count: int, low: int | None, high: int | None, what: str) -> None:
        """At most ``high`` rows or items, and at least ``low`` when required values are enforced."""
        if high is not None and count > high:
            self.error(path, Message(_AT_MOST[what], count=high))
        if self.require_required and low is not None and count < low:
            self.error(path, Message(_AT_LEAST[what], count=low))

    def shown(self, item: Field, lookup: Any, path: str) -> bool:
        if item.condition is not None and not holds(item.condition, lookup):
            return False
        self.visible_fields.append(path)
        return True

    def rows(self, raw: Any, path: str, what: str) -> list[dict[str, Any]]:
        """The row objects of a repeatable section or a table (none after an error, which is recorded)."""
        if raw is None:
            return []
        if not isinstance(raw, list) or not all(isinstance(row, dict) for row in raw):
            self.error(path, Message(_LIST_OF[what]))
            return []
        if len(raw) > MAX_ROWS:
            self.error(path, Message(_AT_MOST[what], count=MAX_ROWS))
            return []
        return raw

    def unknown_keys(self, given: Any, known: Any, prefix: str, what: str) -> None:
        for unknown in sorted(set(given) - set(known)):
            self.error(f"{prefix}{unknown}", Message(_UNKNOWN[what]))

    def walk(self, data: dict[str, Any]) -> dict[str, Any]:
        """What is kept of ``data``: visible answers only, top-level keys in schema order."""
        compiled = self.compiled
        self.unknown_keys(data, compiled.display_order, "", "field")
        top: dict[str, Any] = {}
        hidden: set[str] = set()
        for node in compiled.top_order:
            if isinstance(node, Section):
                if node.condition is not None and not holds(node.condition, top.get):
                    hidden.add(node.id)
                    continue
                self.visible_sections.append(node.id)
                if node.repeatable and (items := walk_items(self, node, data.get(node.items_key), top)):
                    top[node.items_key] = items
            elif node.section is None or node.section.id not in hidden:
                self.walk_field(node, data, top)
        return {key: top[key] for key in compiled.display_order if key in top}

    def walk_field(self, item: Field, data: dict[str, Any], top: dict[str, Any]) -> None:
        if not self.shown(item, top.get, item.key):
            return
        if item.type == "table_fill":
            value = walk_table(self, item, data.get(item.key), top) or None
        else:
            value = self.value(item, data.get(item.key), item.key)
        self.require(item, value, item.key)
        if value is not None:
            top[item.key] = value


class VisibilityWalk(Walk):
    """Keeps every answer as given: what a browser evaluating the conditions on the same values shows."""

    def value(self, item: Field, raw: Any, path: str) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        return raw


@dataclass(frozen=True)
class Visibility:
    """What a form shows for some data: the visible sections, and the visible fields (row by row in repeats)."""

    sections: list[str]
    fields: list[str]
    data: dict[str, Any]  # the data without the values of hidden fields


def evaluate_visibility(compiled: CompiledSchema, data: dict[str, Any]) -> Visibility:
    walk = VisibilityWalk(compiled)
    kept = walk.walk(data if isinstance(data, dict) else {})
    return Visibility(sections=walk.visible_sections, fields=walk.visible_fields, data=kept)

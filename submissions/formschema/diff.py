"""A field-by-field comparison of two versions of some data, as a reviewer reads them (side by side).

Both sides are ``display_data`` trees, each rendered with the labels of its own form version, so only what the
form shows is compared (a hidden field's leftover value is not a change). A plain answer is one line; a grid
(a table_fill answer, the rows of a repeatable section) is one line per row, marked added, removed or changed,
with its cells side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from submissions.formschema.display import DisplaySection, DisplayTable, DisplayValue

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


@dataclass
class DiffCell:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class DiffLine:
    """One answer, or one row of a grid (``cells``), with its text on either side ("" where absent)."""

    section: str
    label: str
    change: str
    before: str = ""
    after: str = ""
    cells: list[DiffCell] = field(default_factory=list)


@dataclass
class _Side:
    section: str
    label: str
    text: str = ""
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # column key -> (label, text)


def _flatten(sections: list[DisplaySection], text: Callable[[DisplayValue], str]) -> dict[str, _Side]:
    lines: dict[str, _Side] = {}
    for section in sections:
        for entry in section.entries:
            if isinstance(entry, DisplayTable):
                for index, row in enumerate(entry.rows):
                    cells = {
                        column.key: (column.label, text(cell) if cell is not None else "")
                        for column, cell in zip(entry.columns, row, strict=True)
                    }
                    lines[f"{entry.key}[{index}]"] = _Side(section.title, f"{entry.label} · row {index + 1}", "", cells)
            else:
                lines[entry.key] = _Side(section.title, entry.label, text(entry))
    return lines


def _order(before: list[str], after: list[str]) -> list[str]:
    """The keys of ``after`` in order, each key only in ``before`` placed after its predecessor there."""
    order = list(after)
    for index, key in enumerate(before):
        if key in order:
            continue
        previous = next((k for k in reversed(before[:index]) if k in order), None)
        order.insert(order.index(previous) + 1 if previous is not None else 0, key)
    return order


def _cells(old: _Side | None, new: _Side | None) -> list[DiffCell]:
    columns: dict[str, str] = {}
    for side in (old, new):
        columns.update({key: label for key, (label, _) in (side.cells.items() if side else [])})
    return [
        DiffCell(
            label=label,
            before=old.cells.get(key, ("", ""))[1] if old else "",
            after=new.cells.get(key, ("", ""))[1] if new else "",
        )
        for key, label in columns.items()
    ]


def display_diff(
    before: list[DisplaySection], after: list[DisplaySection], text: Callable[[DisplayValue], str]
) -> list[DiffLine]:
    """Every line of either side, in form order; ``text(value)`` is how an answer reads (e.g. its file names)."""
    old, new = _flatten(before, text), _flatten(after, text)
    lines = []
    for key in _order(list(old), list(new)):
        a, b = old.get(key), new.get(key)
        side = b or a
        assert side is not None
        cells = _cells(a, b) if side.cells or (a and a.cells) else []
        if a is None:
            change = ADDED
        elif b is None:
            change = REMOVED
        elif a.text != b.text or any(cell.changed for cell in cells):
            change = CHANGED
        else:
            change = UNCHANGED
        lines.append(
            DiffLine(
                section=side.section,
                label=side.label,
                change=change,
                before=a.text if a else "",
                after=b.text if b else "",
                cells=cells,
            )
        )
    return lines

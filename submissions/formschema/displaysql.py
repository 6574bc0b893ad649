"""PostgreSQL expressions that show a stored answer the way ``display.display_value`` does (the CSV export's
``COPY`` path, ``submissions.export_copy``). Each field type's expression sits beside its Python ``display``
(``FieldType.display_sql``); these are the pieces they share.

An expression gets the answer (``Answer``: its jsonb, type and text) when it is neither SQL NULL nor JSON null.
Where SQL cannot be sure to match Python (a list in a text field, a float Python would print in exponent form...),
it yields ``PYTHON_CELL``: the export then has Python write that row. A stored value that happens to hold the
marker only costs that row a Python pass, never a wrong cell.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

PYTHON_CELL = "\ufdd0python-cell\ufdd1"
# The characters ``config.inputs.strip_bidi_controls`` removes, and those ``str.strip()`` removes.
BIDI_CONTROLS = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
WHITESPACE = "".join(ch for ch in map(chr, range(0x3100)) if ch.isspace())


@dataclass(frozen=True)
class Answer:
    """A stored answer as SQL: ``value`` its jsonb, ``kind`` its ``jsonb_typeof``, ``text`` its ``->>`` text (a
    string's own text, else its JSON), each a column the export computes once per row."""

    value: str
    kind: str
    text: str


def literal(text: str) -> str:
    """``text`` as a SQL string literal (standard-conforming strings; PostgreSQL text holds no NUL)."""
    return "'" + text.replace("'", "''") + "'"


@cache
def _digit_class() -> str:
    """What Python's ``\\d`` matches (every Unicode decimal digit), as a bracket expression's ranges."""
    ranges: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)) == "Nd":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(chr(low) if low == high else f"{chr(low)}-{chr(high)}" for low, high in ranges)


def number_pattern() -> str:
    """``exports._NUMBER`` (``^[+-]?\\d+([.,]\\d+)?$`` under ``re.match``, whose ``$`` also matches before a
    final newline) as a PostgreSQL regular expression."""
    digits = _digit_class()
    return f"^[+-]?[{digits}]+([.,][{digits}]+)?\\n?$"


def formula_guarded(text: str) -> str:
    """``exports.csv_cell`` of a text column: a leading quote on what a spreadsheet would run as a formula."""
    starts = ", ".join(str(ord(ch)) for ch in ("=", "+", "-", "@", "\t", "\r"))
    quote = literal("'")
    return (
        f"CASE WHEN ascii({text}) IN ({starts}) AND {text} !~ {literal(number_pattern())} "
        f"THEN {quote} || {text} ELSE {text} END"
    )


def without_bidi(text: str) -> str:
    """``strip_bidi_controls`` of a text column (an ASCII text has none)."""
    return (
        f"CASE WHEN octet_length({text}) = char_length({text}) THEN {text} "
        f"ELSE translate({text}, {literal(BIDI_CONTROLS)}, '') END"
    )


def python_str(answer: Answer) -> str:
    """``str(value)`` of the JSON value Python reads (``json.loads`` of PostgreSQL's text of the jsonb)."""
    return (
        f"CASE {answer.kind} WHEN 'string' THEN {answer.text} "
        f"WHEN 'boolean' THEN CASE WHEN {answer.text} = 'true' THEN 'True' ELSE 'False' END "
        f"WHEN 'number' THEN {_python_number(answer.text)} ELSE {literal(PYTHON_CELL)} END"
    )


def _python_number(number: str) -> str:
    """``str()`` of ``json.loads(number)``: an integer as it is; a decimal as Python's float repr where that is
    sure (at most 15 significant digits, at least 1e-4: no exponent form), else ``PYTHON_CELL``."""
    stripped = f"regexp_replace({number}, '0+$', '')"
    significant = f"length(ltrim(regexp_replace({stripped}, '[^0-9]', '', 'g'), '0'))"
    return (
        f"CASE WHEN {number} ~ '^-?[0-9]+$' THEN {number} "
        f"WHEN {number} ~ '^-?([1-9][0-9]*\\.[0-9]+|0\\.0{{0,3}}[1-9][0-9]*|0\\.0+)$' AND {significant} <= 15 "
        f"THEN {stripped} || CASE WHEN {stripped} LIKE '%.' THEN '0' ELSE '' END "
        f"ELSE {literal(PYTHON_CELL)} END"
    )


def labels_case(text: str, labels: dict[str, str]) -> str:
    """``labels.get(text, text)`` of a text expression."""
    if not labels:
        return text
    arms = " ".join(f"WHEN {literal(value)} THEN {literal(label)}" for value, label in labels.items())
    return f"CASE {text} {arms} ELSE {text} END"


def of_str(answer: Answer, display: Callable[[str], str]) -> str:
    """``display`` of ``str(value)``: of the text column itself for a string (the common case, cheap), else of
    ``python_str``."""
    return f"CASE WHEN {answer.kind} = 'string' THEN {display(answer.text)} ELSE {display(python_str(answer))} END"


def shown_cell(answer: Answer, display: str) -> str:
    """A field's cell: NULL for no answer (SQL NULL, JSON null, a blank string: ``VisibilityWalk.value``), else
    ``display``. A blank string starts with white space, or is empty (``ascii`` 0)."""
    spaces = ", ".join(str(ord(ch)) for ch in f"\0{WHITESPACE}")
    blank = f"(ascii({answer.text}) IN ({spaces}) AND btrim({answer.text}, {literal(WHITESPACE)}) = '')"
    return (
        f"CASE WHEN {answer.kind} IS NULL OR {answer.kind} = 'null' "
        f"OR ({answer.kind} = 'string' AND {blank}) THEN NULL ELSE {display} END"
    )

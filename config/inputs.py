"""Rules on untrusted text and JSON, one home for every surface (the JSON parser, validators, display names).

- A string the databases cannot store is refused: PostgreSQL stores no NUL (``\\x00``) in text or JSONB, and a
  lone surrogate (``"\\ud800"`` in JSON) is not encodable as UTF-8 at all.
- Bidirectional control characters (right-to-left override and friends) are stripped from names that are shown
  to people, so ``invoice\\u202efdp.exe`` cannot pass for ``invoiceexe.pdf``.
- JSON values have a bounded depth, checked without recursion.
- Errors quote untrusted input only as a short excerpt.
"""

from __future__ import annotations

import re
from typing import Any

# Deep enough for every form schema and submission (sections > rows > fields > options), far below the
# interpreter's recursion limit that the recursive code behind the parser (validators, serializers) runs into.
MAX_JSON_DEPTH = 32
EXCERPT_CHARS = 80
# The largest integer a database column (bigint) holds: integer input above it is refused, not overflowed.
MAX_BIGINT = 2**63 - 1

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# The embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) that reorder a run of text ("Trojan
# Source"); the plain direction marks (LRM, RLM) that right-to-left text relies on stay.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def unstorable_reason(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL or a lone surrogate), or None when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "NUL characters are not allowed."
    return f"Lone surrogate characters are not allowed (U+{ord(found.group()):04X})."


_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def database_id(value: object) -> int | None:
    """``value`` as a primary key a lookup can take (ASCII digits, within bigint), or None.

    ``str.isdigit`` is not enough: it accepts "²", which ``int`` refuses, and an id past bigint overflows SQLite.
    """
    text = str(value)
    if not _ASCII_DIGITS.fullmatch(text) or int(text) > MAX_BIGINT:
        return None
    return int(text)


def strip_bidi_controls(text: str) -> str:
    """``text`` without the characters that reorder how it is displayed."""
    return _BIDI_CONTROLS.sub("", text)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of ``text``, marked when cut, with unstorable characters replaced."""
    cut = text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
    return _UNSTORABLE.sub("\ufffd", cut)


def _render_path(path: tuple[Any, ...] | None) -> str:
    segments: list[str] = []
    while path is not None:
        path, segment = path
        segments.append(f"[{segment}]" if isinstance(segment, int) else f".{excerpt(segment, 40)}")
    return "$" + "".join(reversed(segments))


def json_problem(value: Any, *, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """The first reason a parsed JSON value is refused (too deep, an unstorable string), with where; or None.

    Walks with an explicit stack, so a value of any depth is checked without recursion; a path is only
    rendered for the answer.
    """
    stack: list[tuple[Any, tuple[Any, ...] | None, int]] = [(value, None, 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, str):
            reason = unstorable_reason(node)
            if reason:
                return f"{_render_path(path)}: {reason}"
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > max_depth:
            return f"{_render_path(path)}: nested deeper than {max_depth} levels."
        if isinstance(node, list):
            stack.extend((item, (path, index), depth + 1) for index, item in enumerate(node))
            continue
        for key, item in node.items():
            reason = unstorable_reason(key)
            if reason:
                return f"{_render_path((path, key))} (a key): {reason}"
            stack.append((item, (path, key), depth + 1))
    return None

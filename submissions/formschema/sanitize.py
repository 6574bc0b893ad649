"""The string sanitiser: every string a form (or metadata, a note, a title) stores goes through it."""

from __future__ import annotations

import html
import re
from typing import Any

import nh3

from config.errors import ValidationFailed
from config.inputs import strip_bidi_controls

MAX_VALUE_DEPTH = 10
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_SANITISE_ROUNDS = 6


def sanitize_text(value: str) -> str:
    """Plain text with no markup left: tags and comments removed (script/style with their content), no controls.

    nh3 returns HTML-escaped text; we unescape it so "Tom & Jerry" is stored as typed, and clean again until
    nothing changes, so an escaped tag (``&lt;b&gt;``) cannot turn into markup after unescaping.
    """
    text = strip_bidi_controls(_CONTROL.sub("", value))
    for _ in range(_MAX_SANITISE_ROUNDS):
        cleaned = html.unescape(nh3.clean(text, tags=set()))
        if cleaned == text:
            break
        text = cleaned
    else:
        text = text.replace("<", "").replace(">", "")
    return text.strip()


def sanitize_value(value: Any, _depth: int = 0) -> Any:
    """Every string inside a JSON value (dict keys included) sanitised; other values unchanged.

    Raises ``ValidationFailed`` for values nested deeper than MAX_VALUE_DEPTH.
    """
    if _depth > MAX_VALUE_DEPTH:
        raise ValidationFailed(f"Values nest at most {MAX_VALUE_DEPTH} levels deep.", details={"fields": {}})
    if isinstance(value, str):
        return sanitize_text(value)
    if isinstance(value, list):
        return [sanitize_value(item, _depth + 1) for item in value]
    if isinstance(value, dict):
        return {sanitize_text(str(key)): sanitize_value(item, _depth + 1) for key, item in value.items()}
    return value

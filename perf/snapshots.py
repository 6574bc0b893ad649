"""How a snapshot's data is stored: the full data (a keyframe) at least every KEYFRAME_EVERY snapshots, deltas
between them.

Storing the whole data on every edit made history grow by the size of the submission per edit (about 4 KB for
a 50-field submission on SQLite, 1.1 KB compressed on PostgreSQL) even when one field changed. A delta stores
the changed keys only. Reading any snapshot replays at most ``KEYFRAME_EVERY - 1`` deltas onto the keyframe
before it, so reads stay bounded however long the history grows. The creation is always a keyframe, and so is
a snapshot whose delta would not be smaller than the data, and any row written by other means (a history row
with plain data is a keyframe).

A delta is ``{"__delta__": {"set": {key: value}, "unset": [key]}}``: no submission data can look like one,
since every form key starts with a letter (``formschema.KEY_PATTERN``).
"""

from __future__ import annotations

import json
from typing import Any

DELTA_KEY = "__delta__"
KEYFRAME_EVERY = 20


def is_delta(stored: Any) -> bool:
    return isinstance(stored, dict) and len(stored) == 1 and isinstance(stored.get(DELTA_KEY), dict)


def make_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changed = {key: value for key, value in after.items() if key not in before or before[key] != value}
    removed = sorted(key for key in before if key not in after)
    return {DELTA_KEY: {"set": changed, "unset": removed}}


def apply_delta(base: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    delta = stored[DELTA_KEY]
    removed = set(delta.get("unset", []))
    data = {key: value for key, value in base.items() if key not in removed}
    data.update(delta.get("set", {}))
    return data


def replay(stored: list[Any]) -> list[dict[str, Any] | None]:
    """The full data of each stored value (oldest first); None for deltas before the list's first keyframe."""
    current: dict[str, Any] | None = None
    full: list[dict[str, Any] | None] = []
    for value in stored:
        if not is_delta(value):
            current = value if isinstance(value, dict) else {}
        elif current is not None:
            current = apply_delta(current, value)
        full.append(current)
    return full


def to_store(*, recent: list[Any], data: dict[str, Any]) -> dict[str, Any] | None:
    """What the next snapshot stores: a delta against the latest snapshot, or None for the data itself.

    ``recent`` holds the stored data of the newest snapshots, newest first (up to ``KEYFRAME_EVERY - 1``).
    """
    since_keyframe = 0
    for value in recent:
        if not is_delta(value):
            break
        since_keyframe += 1
    else:
        return None  # a creation, or no keyframe within reach: write one
    if since_keyframe >= KEYFRAME_EVERY - 1:
        return None
    previous = replay(list(reversed(recent[: since_keyframe + 1])))[-1]
    if previous is None:
        return None
    delta = make_delta(previous, data)
    if len(json.dumps(delta, default=str)) >= len(json.dumps(data, default=str)):
        return None
    return delta

"""The list's query string, read without building its serializer when every parameter is plainly valid.

``SubmissionListQuerySerializer`` is the contract (the schema, every error message); building one deep-copies
its fields on every request, which cost the list about a sixth of its Python. A query string whose every
parameter appears once with a value of an unambiguous spelling (digits for a number, a choice as listed,
``true``/``false``, a cursor's or id's own characters) is read here into exactly what the serializer would
give; anything else (an empty value, a repeated or unknown parameter, whitespace, a date, a search, any value
the serializer might refuse or coerce) goes to the serializer, so every error is the serializer's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.http import QueryDict

from config.inputs import MAX_BIGINT
from config.parsing import parse
from submissions.api.serializers import SubmissionListQuerySerializer
from submissions.constants import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, SORT_FIELDS, SubmissionStatus

_POSITIVE = re.compile(r"[1-9][0-9]{0,18}")
# What ``cursor_encode`` (django.core.signing) writes, and a public id's characters: nothing a CharField trims.
_TOKEN = re.compile(r"[A-Za-z0-9_:\-]+")


def _positive(maximum: int) -> Callable[[str], int | None]:
    def read(value: str) -> int | None:
        number = int(value) if _POSITIVE.fullmatch(value) else 0
        return number if 1 <= number <= maximum else None

    return read


def _choice(choices: tuple[str, ...]) -> Callable[[str], str | None]:
    return lambda value: value if value in choices else None


def _token(max_length: int) -> Callable[[str], str | None]:
    return lambda value: value if len(value) <= max_length and _TOKEN.fullmatch(value) else None


_bigint = _positive(MAX_BIGINT)


def _limit(value: str) -> int | None:
    number = _bigint(value)
    return None if number is None else min(number, MAX_PAGE_SIZE)  # the serializer's validate_limit


_BOOLEANS = {"true": True, "false": False}

# Each parameter read here: its reader (None: leave the query to the serializer).
_READERS: dict[str, Callable[[str], Any]] = {
    "page": _positive(MAX_PAGE),
    "limit": _limit,
    "sortBy": _choice(tuple(SORT_FIELDS)),
    "sortOrder": _choice(("asc", "desc")),
    "status": _choice(tuple(SubmissionStatus.values)),
    "includeDrafts": _BOOLEANS.get,
    "submittedBy": _bigint,
    "formId": _token(40),
    "cursor": _token(500),
}
_DEFAULTS = {"includeDrafts": False, "sortBy": "createdAt", "sortOrder": "desc", "page": 1, "limit": DEFAULT_PAGE_SIZE}


def parse_list_query(params: QueryDict) -> dict[str, Any]:
    """``params`` as ``parse(SubmissionListQuerySerializer, params)`` reads them (a 400 from it otherwise)."""
    query = _read(params)
    return parse(SubmissionListQuerySerializer, params) if query is None else query


def _read(params: QueryDict) -> dict[str, Any] | None:
    query = dict(_DEFAULTS)
    for name, values in params.lists():
        reader = _READERS.get(name)
        if reader is None or len(values) != 1:
            return None
        value = reader(values[0])
        if value is None:
            return None
        query[name] = value
    if "cursor" in query and "page" in params:  # the serializer's "not both" error
        return None
    return query

"""Keyset cursors of the submissions list (``selectors.submission_list``).

A cursor names the last row of a page by its sort key and id, for the sort it was made for; the next page is
the rows after that point in the same order (``cursor_seek_q``), found in the index instead of walked past with
OFFSET. It is signed with the secret key (``django.core.signing``): opaque to clients and tamper-evident. Signed,
not encrypted: its payload is base64 JSON of the sort, the sort value and the row's internal id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core import signing
from django.db.models import Q
from django.utils import timezone

from submissions.constants import SORT_FIELDS
from submissions.errors import InvalidCursor
from submissions.models import Submission

if TYPE_CHECKING:
    from submissions.selectors import ListedSubmission

SALT = "submissions.list.cursor"


@dataclass(frozen=True)
class Cursor:
    """The last row of a page: its sort key value and id, and the sort (``sortBy``, ``sortOrder``)."""

    sort_by: str
    sort_order: str
    value: datetime | str
    pk: int


def cursor_encode(*, row: Submission | ListedSubmission, sort_by: str, sort_order: str) -> str:
    """The cursor of the page that follows ``row`` (a submission or a list row) in the order of ``sort_by`` and
    ``sort_order``."""
    value = getattr(row, SORT_FIELDS[sort_by])
    key = value.isoformat() if isinstance(value, datetime) else value
    return signing.dumps({"s": sort_by, "o": sort_order, "v": key, "i": row.pk}, salt=SALT)


def _invalid(message: str) -> InvalidCursor:
    return InvalidCursor(f"cursor: {message}", details={"fields": {"cursor": [message]}})


def cursor_decode(token: str, *, sort_by: str, sort_order: str) -> Cursor:
    """The cursor in ``token``; InvalidCursor (400) if it is not one we signed, or was made for another sort."""
    try:
        payload = signing.loads(token, salt=SALT)
        made_for, value, pk = (payload["s"], payload["o"]), payload["v"], payload["i"]
        if not isinstance(value, str) or not isinstance(pk, int) or isinstance(pk, bool):
            raise TypeError("cursor payload")
        if made_for == (sort_by, sort_order) and sort_by != "status":
            value = datetime.fromisoformat(value)
            if timezone.is_naive(value):
                raise ValueError("naive cursor timestamp")
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise _invalid("Not a cursor of this list (malformed or altered).") from exc
    if made_for != (sort_by, sort_order):
        raise _invalid(
            f"Made for sortBy={made_for[0]}&sortOrder={made_for[1]}; send that sort with it, "
            "or start again without a cursor."
        )
    return Cursor(sort_by=sort_by, sort_order=sort_order, value=value, pk=pk)


def cursor_seek_q(cursor: Cursor) -> Q:
    """The rows after the cursor's: past its sort value, or on it with a greater id (smaller when descending).

    The inclusive bound repeats what the OR says, so that the index has a range to start from; the OR only
    sorts out the rows that tie with the cursor's sort value.
    """
    field = SORT_FIELDS[cursor.sort_by]
    past, bound = ("lt", "lte") if cursor.sort_order == "desc" else ("gt", "gte")
    return Q(**{f"{field}__{bound}": cursor.value}) & (
        Q(**{f"{field}__{past}": cursor.value}) | Q(**{f"pk__{past}": cursor.pk})
    )

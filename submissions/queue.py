"""Reads of the review queue (the submissions changelist): who a row is about, what a user may filter by, and
the count strategy it shares with ``GET /api/submissions`` (exact up to ``COUNT_EXACT_CAP``, then PostgreSQL's
planner estimate; never a full COUNT(*)). The rows themselves are ``access.submission_admin_q``'s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.db import connection
from django.db.models import DateTimeField, ExpressionWrapper, F, OrderBy, QuerySet, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from submissions.constants import COUNT_ESTIMATE_FUNCTION, COUNT_ESTIMATE_SECONDS, COUNT_EXACT_CAP
from submissions.models import Form, Matter, Submission
from workspaces.access import READ, REVIEW, user_workspace_ids
from workspaces.models import Membership

# The data keys that name who a submission is about, in order (the public action contract's root and role
# entities use first_name/last_name for people and company_name for companies).
SUBJECT_NAME_KEYS = ("full_name", "name", "company_name", "legal_name")


def _text(value: str) -> Value:
    return Value(value, output_field=TextField())


def _key(name: str) -> Any:
    return NullIf(Trim(KeyTextTransform(name, "data")), _text(""), output_field=TextField())


def subject_name_expression() -> Any:
    """SQL for the subject's name from a submission's data, so a page of rows reads no data column."""
    person = Trim(Concat(_key("first_name"), _text(" "), _key("last_name"), output_field=TextField()))
    named = (_key(name) for name in SUBJECT_NAME_KEYS)
    return Coalesce(*named, NullIf(person, _text(""), output_field=TextField()), output_field=TextField())


def queue_rows(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """The columns a page of the queue shows: subject, form and version, assignee; not the data or schemas."""
    return (
        queryset.select_related("form", "form_version", "user")
        .annotate(subject_name=subject_name_expression())
        .only(
            "public_id",
            "workspace_id",
            "status",
            "created_at",
            "assignee_read_at",
            "form__title",
            "form_version__version",
            "user__username",
            "user__first_name",
            "user__last_name",
        )
    )


@dataclass(frozen=True)
class Counted:
    total: int
    exact: bool


def estimate_cached(key: tuple[Any, ...], count: Callable[[], tuple[int, bool]]) -> tuple[int, bool]:
    """``count()`` as (total, exact), except that an estimate (past the cap) is kept ``COUNT_ESTIMATE_SECONDS`` in
    Django's cache under ``key`` (everything the counted query is built from): a busy list pays for its capped
    count and the planner's estimate once per interval. Exact counts are never kept, so a total up to the cap is
    always current; an estimate is flagged as one anyway, and its planner statistics change only on ANALYZE.
    """
    cache_key = "submissions.estimate." + hashlib.sha256(repr(key).encode()).hexdigest()
    cached = cache.get(cache_key)
    if cached is not None:
        return int(cached), False
    total, exact = count()
    if not exact:
        cache.set(cache_key, total, COUNT_ESTIMATE_SECONDS)
    return total, exact


def submission_count(*, queryset: QuerySet[Submission], in_order: bool = True) -> Counted:
    """How many rows ``queryset`` holds, as the API list counts: exact up to ``COUNT_EXACT_CAP`` on PostgreSQL
    (a count of at most cap + 1 index entries), beyond it the planner's estimate (``total_exact`` False, kept a
    while: ``estimate_cached``). SQLite counts exactly (an index-only count).

    ``in_order`` counts in the page's order, so PostgreSQL walks the covering index; a search counts unordered,
    so its matches come from the search indexes and the count stops at cap + 1 of them.
    """
    rows = queryset.order_by().values("pk")
    if connection.vendor != "postgresql":
        return Counted(total=rows.count(), exact=True)
    sql, params = rows.query.sql_with_params()
    composed = connection.ops.compose_sql(sql, params)  # type: ignore[attr-defined]

    def count() -> tuple[int, bool]:
        counted = queryset.order_by("-created_at", "-id").values("pk") if in_order else rows
        total = counted[: COUNT_EXACT_CAP + 1].count()
        if total <= COUNT_EXACT_CAP:
            return total, True
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {COUNT_ESTIMATE_FUNCTION}(%s)", [composed])
            (estimate,) = cursor.fetchone()
        return max(int(estimate or 0), COUNT_EXACT_CAP + 1), False

    total, exact = estimate_cached(("queue", composed, COUNT_EXACT_CAP), count)
    return Counted(total=total, exact=exact)


def newest_first_from_matches(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """Newest first, sorted from the matching rows rather than by walking the created_at index.

    For a search with few matches (known from its count): PostgreSQL estimates a word's matches at ~2% of the
    rows, so with a LIMIT it would walk the index newest first, testing every row (seconds at 1M when the word
    is rare); an order no index gives makes it collect the matches from the search indexes and sort them.
    """
    shifted = ExpressionWrapper(F("created_at") + Value(timedelta(0)), output_field=DateTimeField())
    return queryset.order_by(OrderBy(shifted, descending=True), "-id")


def queue_form_choices(*, user: User | AnonymousUser) -> list[tuple[str, str]]:
    """The forms of the user's workspaces, for the form filter (public id, title)."""
    forms = Form.objects.filter(workspace_id__in=user_workspace_ids(user, READ)).order_by("title", "pk")
    return [(public_id, title) for public_id, title in forms.values_list("public_id", "title")]


def queue_matter_choices(*, user: User | AnonymousUser) -> list[tuple[str, str]]:
    """The matters of the user's workspaces, for the matter filter (public id, "MAT-1 title")."""
    matters = Matter.objects.filter(workspace_id__in=user_workspace_ids(user, READ)).order_by("number_prefix", "number")
    return [(matter.public_id, str(matter)) for matter in matters.only("public_id", "number_prefix", "number", "title")]


def queue_assignee_choices(*, user: User | AnonymousUser) -> list[tuple[int, str]]:
    """Whom the user may assign to: members of the workspaces where it reviews (user id, name)."""
    memberships = Membership.objects.filter(workspace_id__in=user_workspace_ids(user, REVIEW)).select_related("user")
    people = {m.user_id: m.user.get_full_name() or m.user.username for m in memberships}
    return sorted(people.items(), key=lambda item: item[1].lower())

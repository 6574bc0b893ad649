"""Every read with rules. What a caller may see is decided in ``submissions.access``; every read here of more
than one submission (list, stats) starts from it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.contrib.postgres.search import SearchQuery, SearchVectorExact, SearchVectorField
from django.db import connection
from django.db.models import Count, F, Func, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, TruncDate
from django.db.models.lookups import IContains
from django.utils import timezone

from config.ids import token_hash
from documents.models import Document
from perf import sqlmemo
from submissions.access import oversight_q, own_visible_q, submission_visible_queryset
from submissions.constants import (
    COUNT_ESTIMATE_FUNCTION,
    COUNT_EXACT_CAP,
    PAGE_IDS_FUNCTION,
    SORT_FIELDS,
    STATS_DEFAULT_DAYS,
    FormStatus,
    SubmissionStatus,
)
from submissions.cursors import cursor_decode, cursor_encode, cursor_seek_q
from submissions.errors import (
    FormNotFound,
    FormNotPublished,
)
from submissions.formschema import document_uuids
from submissions.ids import SUBMISSION_ID_LENGTH, SUBMISSION_ID_PREFIX
from submissions.models import (
    Form,
    FormVersion,
    MatterSubmission,
    ShareLink,
    Submission,
    SubmissionAttachment,
    SubmissionNote,
    VisibilityGrant,
)
from submissions.queue import estimate_cached
from workspaces.context import WorkspaceContext
from workspaces.models import Membership, OversightRelationship, Workspace
from workspaces.selectors import overseen_workspace_ids

# --- Forms ---------------------------------------------------------------------------------------


def form_list(*, context: WorkspaceContext, status: str | None = None) -> QuerySet[Form]:
    forms = Form.objects.filter(workspace=context.workspace).order_by("-created_at", "-id")
    return forms.filter(status=status) if status else forms


def form_get(*, context: WorkspaceContext, public_id: str) -> Form:
    form = form_list(context=context).filter(public_id=public_id).first()
    if form is None:
        raise FormNotFound("No such form in this workspace.")
    return form


def form_version_latest(*, form: Form) -> FormVersion | None:
    return form.versions.order_by("-version").first()


def form_version_for_new_submission(*, context: WorkspaceContext, form_public_id: str) -> FormVersion:
    """The latest published version of a published form of the caller's workspace."""
    form = form_get(context=context, public_id=form_public_id)
    version = form_version_latest(form=form) if form.status == FormStatus.PUBLISHED else None
    if version is None:
        raise FormNotPublished(
            f"Form {form.public_id} is {form.status}; submissions need a published form.",
            details={"formId": form.public_id, "status": form.status},
        )
    return version


# --- Listing -------------------------------------------------------------------------------------

WHOLE_SUBMISSION_ID = re.compile(rf"^{SUBMISSION_ID_PREFIX}[0-9A-Z]{{{SUBMISSION_ID_LENGTH}}}$", re.IGNORECASE)


@dataclass(frozen=True)
class SubmissionFilters:
    form_id: str | None = None
    status: str | None = None
    search: str | None = None
    date_from: date | datetime | None = None
    date_to: date | datetime | None = None
    submitted_by: int | None = None
    include_drafts: bool = False
    drafts_only: bool = False
    sort_by: str = "createdAt"
    sort_order: str = "desc"


class ListedSubmission(NamedTuple):
    """A row of the list, as its query selects it: plain values, no model instance (a page holds up to 100)."""

    pk: int
    public_id: str
    status: str
    data: Any
    metadata: Any
    user_id: int | None
    visibility_mode: str
    created_at: datetime
    updated_at: datetime
    form_public_id: str
    version_public_id: str
    version_number: int
    matter_public_id: str | None
    matter_number: int | None
    matter_number_prefix: str | None
    matter_title: str | None


@dataclass(frozen=True)
class Page:
    """One page of a list. ``total`` is exact unless ``total_exact`` is False (see ``submission_list``).

    ``page`` is None for a page read by cursor; ``next_cursor`` is None on the last page.
    """

    items: list[ListedSubmission]
    page: int | None
    limit: int
    total: int
    total_exact: bool = True
    next_cursor: str | None = None

    @property
    def pagination(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "limit": self.limit,
            "total": self.total,
            "pages": math.ceil(self.total / self.limit),
            "nextCursor": self.next_cursor,
        }


def _day_start(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.combine(value, datetime.min.time()))


def _filtered(queryset: QuerySet[Submission], filters: SubmissionFilters) -> QuerySet[Submission]:
    if filters.drafts_only:
        queryset = queryset.filter(status=SubmissionStatus.DRAFT)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    elif not filters.include_drafts:
        queryset = queryset.exclude(status=SubmissionStatus.DRAFT)
    if filters.form_id:
        queryset = queryset.filter(form__public_id=filters.form_id)
    if filters.submitted_by is not None:
        queryset = queryset.filter(user_id=filters.submitted_by)
    if filters.date_from is not None:
        queryset = queryset.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to is not None:
        if isinstance(filters.date_to, datetime):
            queryset = queryset.filter(created_at__lte=_day_start(filters.date_to))
        else:  # a date is inclusive: everything before the next day
            queryset = queryset.filter(created_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.search:
        queryset = queryset.filter(submission_search_q(text=filters.search))
    return queryset


class DataWords(Func):
    """The words of a submission's answers (string and number values, not keys): what migration 0006 indexes."""

    template = """jsonb_to_tsvector('simple'::regconfig, %(expressions)s, '["string", "numeric"]'::jsonb)"""
    output_field = SearchVectorField()


def data_contains_q(word: str) -> Q:
    """The word in the data. PostgreSQL: a word of the answers starting with it (a GIN index of their words, so a
    rare word is found among 1M rows at once, whatever common words it shares text with); SQLite: anywhere in
    the data's text (a scan; non-ASCII is stored as \\u escapes, so both spellings are looked for)."""
    if connection.vendor == "postgresql":
        prefix = "'" + word.replace("\\", "\\\\").replace("'", "''") + "':*"
        return Q(SearchVectorExact(DataWords("data"), SearchQuery(prefix, config="simple", search_type="raw")))
    text = Cast("data", output_field=TextField())
    q = Q(IContains(text, word))
    escaped = json.dumps(word)[1:-1]
    if escaped != word:
        q |= Q(IContains(text, escaped))
    return q


def submission_search_q(*, text: str) -> Q:
    """Submissions matching every word of ``text`` (at most five) in their id, form title, submitter's name or
    e-mail, or the text of their data: what the API's ``search`` and the review queue's search box find.

    Forms and users are matched first (one small query per word), so every condition is on a submission
    column: PostgreSQL combines the id's trigram index, the data's word index (``data_contains_q``) and the form
    and user indexes in one bitmap, instead of testing joined rows one by one. A whole id is looked up in the
    unique index.
    """
    q = Q()
    for word in text.split()[:5]:
        if WHOLE_SUBMISSION_ID.match(word):  # no title or name holds one
            q &= Q(public_id=word.upper())
            continue
        forms = Form.objects.filter(title__icontains=word).values_list("pk", Value("f"))
        users = User.objects.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
        ).values_list("pk", Value("u"))
        matched = list(forms.union(users, all=True))
        form_ids = [pk for pk, kind in matched if kind == "f"]
        user_ids = [pk for pk, kind in matched if kind == "u"]
        q &= Q(public_id__icontains=word) | Q(form_id__in=form_ids) | Q(user_id__in=user_ids) | data_contains_q(word)
    return q


def submission_list(
    *, context: WorkspaceContext, filters: SubmissionFilters, limit: int, page: int = 1, cursor: str | None = None
) -> Page:
    """One page of visible submissions in at most two queries, whatever the page size: the rows, then a count.

    The workspaces the caller oversees come with its authentication (``context.overseen_ids``; else one small
    query). The rows query brings each row's form, version and first matter; its SQL is compiled once per caller,
    filters and page (``perf.sqlmemo``; not for a search, which reads forms and users to build it), its rows are
    read every time. A page that holds the last matching row is its own count; otherwise a count follows, and
    an estimated total is kept a minute for the same caller and filters. The page is picked by ids first
    (``id IN (SELECT id ... ORDER BY ... LIMIT/OFFSET)``): the OFFSET walk reads only the covering index
    ``sub_ws_created_cover`` (default sort), and the full rows, joins and matters are read for the page alone.
    The id query asks for one row more than the page: whether there is a next page, without a query of its own.

    ``cursor`` (a previous page's ``next_cursor``, made for the same sort) replaces ``page``: the page is then
    the rows after the cursor's row (keyset paging, ``cursors.cursor_seek_q``), found in the index at the cursor's
    sort value instead of walked past with OFFSET, so a deep page costs what a first page costs. Its rows are
    exactly the ones page/limit would give in the same order (the id breaks every tie), and its ``page`` is None:
    a keyset page does not count the rows before it. An invalid cursor raises ``InvalidCursor``.

    ``total`` (see ``_count``): exact up to ``COUNT_EXACT_CAP`` (10,000) matching rows on PostgreSQL, where
    counting is bounded by ``LIMIT cap + 1``; beyond the cap, PostgreSQL's planner estimate of the same
    filtered query (never below cap + 1) with ``total_exact`` False, which the API sends as
    ``X-Total-Count-Exact: false``; ``pages`` follows ``total``. An estimate never hides rows: a page past it
    still reads them, and a page past the real end is empty. SQLite, the embedded single-machine default, has
    no planner estimate and always counts exactly (an index-only count; about 10 ms at 100,000 rows).

    Deep OFFSET pages cost what walking the covering index to their offset costs (at 1M rows, offset 500,000:
    about 80 ms for the request, under the bare rows query of the same page); a cursor is the fast way there.
    On PostgreSQL, past ``COUNT_EXACT_CAP`` rows the OFFSET walk runs inside ``submissions_page_ids()`` with JIT
    off: the walk's cost would otherwise make PostgreSQL JIT-compile the whole rows query, about 400 ms of
    compilation for a 70 ms walk. Shallow and keyset pages look grants up row by row, deep OFFSET ones let
    PostgreSQL hash the caller's grants once (``access.own_visible_q``).
    """
    seek = cursor_decode(cursor, sort_by=filters.sort_by, sort_order=filters.sort_order) if cursor else None
    field = SORT_FIELDS[filters.sort_by]
    prefix = "-" if filters.sort_order == "desc" else ""
    order = (f"{prefix}{field}", f"{prefix}id")
    offset = 0 if seek else (page - 1) * limit
    number = None if seek else page
    overseen = context.overseen_ids
    if overseen is None:
        overseen = tuple(overseen_workspace_ids(overseer=context.workspace))
    # Everything the page's SQL is built from (a search also reads forms and users to build it: not memoised).
    principal = (
        context.workspace.pk,
        context.role,
        context.user_id,
        overseen,
        filters,
        timezone.get_current_timezone_name(),  # a date filter's bounds
    )
    deep = seek is None and offset + limit > COUNT_EXACT_CAP

    def page_rows() -> QuerySet[Submission]:
        visible_q = own_visible_q(context=context, per_row=not deep)
        if overseen:
            visible_q |= oversight_q(context=context, overseen=overseen)
        page_ids: Any = _filtered(Submission.objects.filter(visible_q), filters).order_by(*order)
        if seek:
            page_ids = page_ids.filter(cursor_seek_q(seek))
        page_ids = page_ids.values("pk")[offset : offset + limit + 1]
        if deep and connection.vendor == "postgresql":
            # A deep page: walk the index inside submissions_page_ids(), where JIT is off (migration 0003).
            sql, params = _sql(page_ids)
            composed = connection.ops.compose_sql(sql, params)  # type: ignore[attr-defined]
            page_ids = RawSQL(f"SELECT {PAGE_IDS_FUNCTION}(%s)", (composed,))
        return (
            Submission.objects.filter(pk__in=page_ids)
            .annotate(**LISTED_COLUMNS, **{f"first_matter_{name}": _first_matter(name) for name in FIRST_MATTER_FIELDS})
            .order_by(*order)
            .values_list(*LISTED_FIELDS, *LISTED_COLUMNS, *(f"first_matter_{name}" for name in FIRST_MATTER_FIELDS))
        )

    memo_key = None if filters.search else ("submission_list", *principal, limit, offset, seek, deep)
    found = sqlmemo.values(Submission, memo_key, page_rows)
    items = [ListedSubmission._make(row) for row in found[:limit]]
    next_cursor = None
    if len(found) > limit:
        next_cursor = cursor_encode(row=items[-1], sort_by=filters.sort_by, sort_order=filters.sort_order)
    if seek is None and next_cursor is None and (items or offset == 0):
        # This page holds the last matching row: the total needs no count.
        counted = _Counted(total=offset + len(items), exact=True)
    else:
        counted = _total(context=context, filters=filters, overseen=overseen, order=order, principal=principal)
    return Page(
        items=items,
        page=number,
        limit=limit,
        total=counted.total,
        total_exact=counted.exact,
        next_cursor=next_cursor,
    )


def submission_export_rows(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """``submissions`` with what an export row shows: ``submitter_name`` is who created it (its first snapshot's
    author), ``user`` its current assignee."""
    creator = Submission.history.filter(id=OuterRef("pk"), history_type="+").values("history_user__username")
    return submissions.select_related("form", "form_version", "user").annotate(submitter_name=Subquery(creator[:1]))


def submission_export_queryset(*, context: WorkspaceContext, filters: SubmissionFilters) -> QuerySet[Submission]:
    """Every visible submission the list's filters match, in the list's order, ready to export."""
    field = SORT_FIELDS[filters.sort_by]
    prefix = "-" if filters.sort_order == "desc" else ""
    matching = _filtered(submission_visible_queryset(context=context), filters)
    return submission_export_rows(matching.order_by(f"{prefix}{field}", f"{prefix}id"))


FIRST_MATTER_FIELDS = ("public_id", "number", "number_prefix", "title")
# A list row: these columns, then its form's and version's (``LISTED_COLUMNS``), then its first matter's.
LISTED_FIELDS = (
    "pk",
    "public_id",
    "status",
    "data",
    "metadata",
    "user_id",
    "visibility_mode",
    "created_at",
    "updated_at",
)
LISTED_COLUMNS = {
    "listed_form_public_id": F("form__public_id"),
    "listed_version_public_id": F("form_version__public_id"),
    "listed_version_number": F("form_version__version"),
}


def _first_matter(name: str) -> Subquery:
    links = MatterSubmission.objects.filter(submission=OuterRef("pk")).order_by("created_at", "id")
    return Subquery(links.values(f"matter__{name}")[:1])


@dataclass(frozen=True)
class _Counted:
    total: int
    exact: bool


def _sql(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _total(
    *,
    context: WorkspaceContext,
    filters: SubmissionFilters,
    overseen: tuple[int, ...],
    order: tuple[str, str],
    principal: tuple[Any, ...],
) -> _Counted:
    """The list's total (``_count``); an estimate (past the cap) is kept ``COUNT_ESTIMATE_SECONDS`` for the same
    caller and filters (``queue.estimate_cached``), so a busy list runs the capped count once per interval."""

    def count() -> tuple[int, bool]:
        own = _filtered(Submission.objects.filter(own_visible_q(context=context, per_row=True)), filters)
        oversight = None
        if overseen:
            oversight_rows = Submission.objects.filter(oversight_q(context=context, overseen=overseen))
            oversight = _filtered(oversight_rows, filters).order_by(*order)
        # The planner's estimate (past the cap) is closer with the grant as an EXISTS; it is planned, never run.
        estimated = _filtered(Submission.objects.filter(own_visible_q(context=context)), filters)
        return _count(own=own.order_by(*order), estimated=estimated, oversight=oversight)

    total, exact = estimate_cached(("submission_list", *principal, COUNT_EXACT_CAP), count)
    return _Counted(total=total, exact=exact)


def _count(
    *, own: QuerySet[Submission], estimated: QuerySet[Submission], oversight: QuerySet[Submission] | None
) -> tuple[int, bool]:
    """One query: the matching rows of the caller's workspace and of the overseen ones; (total, exact).

    On PostgreSQL each count reads at most ``COUNT_EXACT_CAP + 1`` index entries (``LIMIT`` in a subquery);
    when the own count passes the cap, the same query returns ``submissions_count_estimate(<query>)``, the
    planner's row estimate of the unlimited query (EXPLAIN, no execution; migration 0002). A bare COUNT(*)
    of a million visible rows costs more than the whole page, so an exact total there is not worth its price.
    """
    cap = COUNT_EXACT_CAP
    postgres = connection.vendor == "postgresql"
    own_sql, own_params = _sql(own.values("pk")[: cap + 1] if postgres else own.order_by().values("pk"))
    over_sql, over_params = "SELECT 1 WHERE FALSE", ()
    if oversight is not None:
        over_sql, over_params = _sql(
            oversight.values("pk")[: cap + 1] if postgres else oversight.order_by().values("pk")
        )
    estimate = "NULL"
    estimate_params: tuple[Any, ...] = ()
    if postgres:
        full_sql, full_params = _sql(estimated.order_by().values("pk"))
        estimate = f"CASE WHEN c.n > %s THEN {COUNT_ESTIMATE_FUNCTION}(%s) END"
        # The query as text, its values quoted by the driver: the function EXPLAINs it (it never runs it).
        estimate_params = (cap, connection.ops.compose_sql(full_sql, full_params))  # type: ignore[attr-defined]
    sql = (
        f"SELECT c.n, (SELECT COUNT(*) FROM ({over_sql}) b), {estimate} "
        f"FROM (SELECT COUNT(*) AS n FROM ({own_sql}) a) c"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*over_params, *estimate_params, *own_params))
        own_count, oversight_count, planner_rows = cursor.fetchone()
    exact = True
    if postgres and own_count > cap:
        own_count, exact = max(int(planner_rows or 0), cap + 1), False
    if postgres and oversight_count > cap:  # rare (an overseer granted over 10,000): cap + 1, a lower bound
        exact = False
    return own_count + oversight_count, exact


def submission_stats(
    *, context: WorkspaceContext, date_from: date | None = None, date_to: date | None = None
) -> dict[str, Any]:
    """Counts of the visible submissions: per status, per form, and per day over the range (default 30 days)."""
    today = timezone.localdate()
    date_to = date_to or today
    date_from = date_from or (date_to - timedelta(days=STATS_DEFAULT_DAYS - 1))
    visible = submission_visible_queryset(context=context)
    by_status = {status.value: 0 for status in SubmissionStatus}
    for row in visible.values("status").annotate(count=Count("id")).order_by():
        by_status[row["status"]] = row["count"]
    by_form = [
        {"formId": row["form__public_id"], "title": row["form__title"], "count": row["count"]}
        for row in visible.values("form__public_id", "form__title").annotate(count=Count("id")).order_by("-count")
    ]
    in_range = visible.filter(
        created_at__gte=_day_start(date_from), created_at__lt=_day_start(date_to + timedelta(days=1))
    )
    counts = {
        row["day"]: row["count"]
        for row in in_range.annotate(day=TruncDate("created_at")).values("day").annotate(count=Count("id")).order_by()
    }
    by_day = []
    day = date_from
    while day <= date_to:
        by_day.append({"date": day.isoformat(), "count": counts.get(day, 0)})
        day += timedelta(days=1)
    return {
        "total": sum(by_status.values()),
        "byStatus": by_status,
        "byForm": by_form,
        "byDay": by_day,
        "range": {"dateFrom": date_from.isoformat(), "dateTo": date_to.isoformat()},
    }


# --- Notes, documents, visibility, share links ----------------------------------------------------


def note_list(*, submission: Submission) -> QuerySet[SubmissionNote]:
    return submission.notes.select_related("author").order_by("-created_at", "-id")


def attachment_list(*, submission: Submission) -> QuerySet[SubmissionAttachment]:
    return submission.attachments.select_related("document", "attached_by").order_by("created_at", "id")


def submission_files(*, submission: Submission) -> list[Document]:
    """The accepted files of a submission, with their SHA-256: those its file fields name and those attached to it
    (one query; only the submission's workspace)."""
    named = document_uuids(submission.form_version.schema, submission.data)
    attached = SubmissionAttachment.objects.filter(submission=submission).values("document_id")
    files = Document.objects.filter(workspace_id=submission.workspace_id).exclude(final_key="")
    return list(files.filter(Q(uuid__in=named) | Q(pk__in=attached)).order_by("original_name", "pk"))


def attachment_get(*, submission: Submission, attachment_id: str) -> SubmissionAttachment | None:
    return attachment_list(submission=submission).filter(public_id=attachment_id).first()


@dataclass(frozen=True)
class VisibilitySettings:
    submission: Submission
    grants: list[VisibilityGrant]
    members: list[Membership]
    overseers: list[tuple[Workspace, list[Membership]]]


def visibility_settings(*, submission: Submission) -> VisibilitySettings:
    grants = list(submission.grants.select_related("target_user", "target_workspace").order_by("created_at", "id"))
    members = list(Membership.objects.filter(workspace_id=submission.workspace_id).select_related("user"))
    relationships = OversightRelationship.objects.filter(overseen_id=submission.workspace_id, active=True)
    overseer_ids = list(relationships.values_list("overseer_id", flat=True))
    overseer_members: dict[int, list[Membership]] = {pk: [] for pk in overseer_ids}
    for membership in Membership.objects.filter(workspace_id__in=overseer_ids).select_related("user"):
        overseer_members[membership.workspace_id].append(membership)
    overseers = [
        (workspace, overseer_members[workspace.pk])
        for workspace in Workspace.objects.filter(pk__in=overseer_ids).order_by("name")
    ]
    return VisibilitySettings(submission=submission, grants=grants, members=members, overseers=overseers)


def share_link_get_active(*, token: str) -> ShareLink | None:
    """The live link for a token: not revoked, not expired, and its submission still there."""
    return (
        ShareLink.objects.select_related("submission__form", "submission__form_version", "submission__workspace")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )

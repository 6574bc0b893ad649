"""Every read with rules. ``submission_visible_queryset`` is the one place that decides what a caller may see;
every submission endpoint (list, retrieve, stats, notes, documents, history, snapshots, share, visibility)
starts from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from submissions.constants import (
    HISTORY_LIMIT,
    SNAPSHOT_DESCRIPTIONS,
    STATS_DEFAULT_DAYS,
    FormStatus,
    GrantTargetType,
    SnapshotTrigger,
    SubmissionStatus,
    VisibilityMode,
)
from submissions.errors import (
    DraftNotFound,
    FormNotFound,
    FormNotPublished,
    InsufficientRole,
    ReadOnlyAccess,
    SnapshotNotFound,
    SubmissionNotFound,
)
from submissions.models import (
    Form,
    FormVersion,
    MatterSubmission,
    ShareLink,
    Submission,
    SubmissionAttachment,
    SubmissionNote,
    VisibilityGrant,
    hash_share_token,
)
from workspaces.constants import Role
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


# --- Visibility ----------------------------------------------------------------------------------


def submission_visible_q(*, context: WorkspaceContext) -> Q:
    """Rows the caller may see: own-workspace submissions by mode and grants, plus oversight grants."""
    own = Q(workspace=context.workspace)
    if not context.has_role(Role.OWNER):
        grants = VisibilityGrant.objects.filter(submission=OuterRef("pk")).filter(
            Q(target_type=GrantTargetType.WORKSPACE_ROLE, target_role=context.role)
            | (
                Q(target_type=GrantTargetType.USER, target_user_id=context.user_id)
                if context.user_id is not None
                else Q(pk__in=[])
            )
        )
        restricted_ok = Q(Exists(grants))
        if context.user_id is not None:
            restricted_ok |= Q(user_id=context.user_id)
        own &= Q(visibility_mode=VisibilityMode.WORKSPACE) | restricted_ok
    # Most workspaces oversee nobody: one small query spares every list an OR that would defeat its index.
    overseen = list(overseen_workspace_ids(overseer=context.workspace))
    if not overseen:
        return own
    oversight_grants = VisibilityGrant.objects.filter(
        submission=OuterRef("pk"),
        target_type=GrantTargetType.OVERSIGHT_WORKSPACE,
        target_workspace=context.workspace,
    )
    return own | Q(Exists(oversight_grants), visibility_mode=VisibilityMode.RESTRICTED, workspace_id__in=overseen)


def submission_visible_queryset(*, context: WorkspaceContext) -> QuerySet[Submission]:
    return Submission.objects.filter(submission_visible_q(context=context))


def submission_get_visible(*, context: WorkspaceContext, public_id: str, drafts_only: bool = False) -> Submission:
    """A submission the caller may see; anything else (other workspace, restricted) is a 404."""
    queryset = submission_visible_queryset(context=context).select_related("form", "form_version", "user")
    if drafts_only:
        queryset = queryset.filter(status=SubmissionStatus.DRAFT)
    submission = queryset.filter(public_id=public_id).first()
    if submission is None:
        error = DraftNotFound if drafts_only else SubmissionNotFound
        raise error("No such draft." if drafts_only else "No such submission.")
    return submission


def submission_get_for_member(
    *, context: WorkspaceContext, public_id: str, minimum_role: Role = Role.VIEWER, drafts_only: bool = False
) -> Submission:
    """A visible submission of the caller's own workspace, acted on by a member with ``minimum_role``.

    Overseers see it (so they get a 403, not a 404) but may not act on it.
    """
    submission = submission_get_visible(context=context, public_id=public_id, drafts_only=drafts_only)
    if submission.workspace_id != context.workspace.pk:  # seen from an overseer workspace
        raise ReadOnlyAccess("This submission is shared with your workspace read-only.")
    if not context.has_role(minimum_role):
        raise InsufficientRole(f"This action needs the {minimum_role.label} role or higher.")
    return submission


# --- Listing -------------------------------------------------------------------------------------

SORT_FIELDS = {"createdAt": "created_at", "updatedAt": "updated_at", "status": "status"}


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


@dataclass(frozen=True)
class Page:
    items: list[Submission]
    page: int
    limit: int
    total: int

    @property
    def pagination(self) -> dict[str, int]:
        return {
            "page": self.page,
            "limit": self.limit,
            "total": self.total,
            "pages": math.ceil(self.total / self.limit),
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
        # Every word must match somewhere, so "Jane Smith" finds first name Jane and last name Smith.
        for word in filters.search.split()[:5]:
            queryset = queryset.filter(
                Q(public_id__icontains=word)
                | Q(form__title__icontains=word)
                | Q(user__username__icontains=word)
                | Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(user__email__icontains=word)
            )
    return queryset


def submission_list(*, context: WorkspaceContext, filters: SubmissionFilters, page: int, limit: int) -> Page:
    """One page of visible submissions: a count and two queries (rows, their matters), whatever the page size."""
    queryset = _filtered(submission_visible_queryset(context=context), filters)
    total = queryset.count()
    field = SORT_FIELDS[filters.sort_by]
    prefix = "-" if filters.sort_order == "desc" else ""
    offset = (page - 1) * limit
    rows = (
        queryset.select_related("form", "form_version")
        .prefetch_related(
            Prefetch(
                "matter_links",
                queryset=MatterSubmission.objects.select_related("matter").order_by("created_at", "id"),
                to_attr="ordered_matter_links",
            )
        )
        .order_by(f"{prefix}{field}", f"{prefix}id")[offset : offset + limit]
        if offset < total
        else []
    )
    return Page(items=list(rows), page=page, limit=limit, total=total)


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


# --- Snapshots and history -----------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """One historical row of a submission, with what is derived from the history: version, trigger, changelog."""

    record: Any  # HistoricalSubmission
    version: int
    previous: Any | None

    @property
    def id(self) -> str:
        return str(self.record.snapshot_id)

    @property
    def trigger(self) -> str:
        reason = self.record.history_change_reason or ""
        return reason.split(":", 1)[0] or (SnapshotTrigger.CREATE if self.previous is None else SnapshotTrigger.EDIT)

    @property
    def rolled_back_to(self) -> int | None:
        reason = self.record.history_change_reason or ""
        head, _, tail = reason.partition(":")
        return int(tail) if head == SnapshotTrigger.ROLLBACK and tail.isdigit() else None

    @property
    def changed_fields(self) -> list[str]:
        before = self.previous.data if self.previous is not None else {}
        after = self.record.data or {}
        return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))

    @property
    def changelog(self) -> dict[str, Any]:
        changed = self.changed_fields
        noun = "field" if len(changed) == 1 else "fields"
        if self.previous is None:
            summary = f"Created with {len(changed)} {noun}"
        elif self.rolled_back_to is not None:
            summary = f"Rolled back to version {self.rolled_back_to}; updated {len(changed)} {noun}"
        elif changed:
            summary = f"Updated {len(changed)} {noun}"
        else:
            summary = "No field changed"
        changelog: dict[str, Any] = {"summary": summary, "changedFields": changed}
        if self.previous is not None and self.previous.status != self.record.status:
            changelog["status"] = {"from": self.previous.status, "to": self.record.status}
            if not changed:
                changelog["summary"] = f"Status changed from {self.previous.status} to {self.record.status}"
        return changelog

    @property
    def description(self) -> str:
        return SNAPSHOT_DESCRIPTIONS.get(SnapshotTrigger(self.trigger), "Submission changed")


def snapshot_list(*, submission: Submission) -> list[Snapshot]:
    """Every snapshot, oldest first (version 1 is the creation)."""
    records = list(submission.history.select_related("history_user").order_by("history_id"))
    return [
        Snapshot(record=record, version=index + 1, previous=records[index - 1] if index else None)
        for index, record in enumerate(records)
    ]


def snapshot_get(*, submission: Submission, snapshot_id: str) -> Snapshot:
    for snapshot in snapshot_list(submission=submission):
        if snapshot.id == snapshot_id:
            return snapshot
    raise SnapshotNotFound("No such snapshot of this submission.")


@dataclass(frozen=True)
class HistoryEvent:
    id: str
    type: str
    description: str
    actor: User | None
    created_at: datetime
    snapshot: Snapshot | None = None


def submission_history(*, submission: Submission) -> list[HistoryEvent]:
    """Snapshots and audit events merged, newest first, at most HISTORY_LIMIT."""
    events = [
        HistoryEvent(
            id=snapshot.id,
            type="snapshot",
            description=snapshot.description,
            actor=snapshot.record.history_user,
            created_at=snapshot.record.history_date,
            snapshot=snapshot,
        )
        for snapshot in snapshot_list(submission=submission)[-HISTORY_LIMIT:]
    ]
    for event in submission.events.select_related("actor").order_by("-created_at", "-id")[:HISTORY_LIMIT]:
        events.append(
            HistoryEvent(
                id=event.public_id,
                type=event.type,
                description=event.description,
                actor=event.actor,
                created_at=event.created_at,
            )
        )
    events.sort(key=lambda event: event.created_at, reverse=True)
    return events[:HISTORY_LIMIT]


# --- Notes, documents, visibility, share links ----------------------------------------------------


def note_list(*, submission: Submission) -> QuerySet[SubmissionNote]:
    return submission.notes.select_related("author").order_by("-created_at", "-id")


def attachment_list(*, submission: Submission) -> QuerySet[SubmissionAttachment]:
    return submission.attachments.select_related("document", "attached_by").order_by("created_at", "id")


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
        .filter(token_hash=hash_share_token(token), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )

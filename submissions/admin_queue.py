"""The review queue: the submissions changelist's columns, filters, search, paging and bulk actions.

What a user sees is ``submissions.access``'s answer (``SubmissionAdmin.scope_q``); every change is a call of
``services.submission_update``, one submission at a time, so each keeps its rules, its snapshot (status) or its
``REASSIGNED`` event (assignee). The assignee is the submission's ``user``, which ``PATCH /api/submissions/{id}``
sets with ``userId``. A row is unread until its assignee opens it (the case page calls
``services.submission_mark_read``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.timesince import timesince

from perf.admin import RowCheckboxMixin
from submissions.constants import ExportFormat, SubmissionStatus
from submissions.exports import submission_export
from submissions.models import MatterSubmission, Submission
from submissions.queue import (
    newest_first_from_matches,
    queue_assignee_choices,
    queue_form_choices,
    queue_matter_choices,
    queue_rows,
    submission_count,
)
from submissions.selectors import submission_export_rows, submission_search_q
from submissions.services import submission_update
from workspaces.admin_base import WorkspaceScopedAdmin

# A bulk action changes at most this many submissions (one service call each); "select all" beyond is refused.
QUEUE_BULK_MAX = 500


class CountCappedPaginator(Paginator):
    """Counts as ``GET /api/submissions`` does (``queue.submission_count``): never a full COUNT(*).

    A search with few matches (an exact count) then sorts its matches (``queue.newest_first_from_matches``)."""

    exact = True
    searching = False

    @cached_property
    def count(self) -> int:
        counted = submission_count(queryset=self.object_list, in_order=not self.searching)  # type: ignore[arg-type]
        self.exact = counted.exact
        return counted.total

    def page(self, number: Any) -> Any:
        if not (self.searching and self.exact and connection.vendor == "postgresql"):
            return super().page(number)
        self.object_list = newest_first_from_matches(self.object_list)  # type: ignore[arg-type]
        page = super().page(number)
        # Its plan is costed on the planner's guess of a word's matches (~2% of the rows), enough for PostgreSQL
        # to JIT-compile it: ~45 ms of compilation for a query of a few rows. Read it with JIT off.
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            try:
                page.object_list = list(page.object_list)
            finally:
                cursor.execute("RESET jit")
        return page


class QueueChangeList(ChangeList):
    """A page reads the queue's columns only (``queue.queue_rows``): no data, no schemas."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet[Submission]:
        return queue_rows(super().get_queryset(request, exclude_parameters))


class ReceivedFilter(admin.DateFieldListFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = "received"


class FormFilter(admin.SimpleListFilter):
    title = "form"
    parameter_name = "form"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return queue_form_choices(user=request.user)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Submission]) -> QuerySet[Submission]:
        return queryset.filter(form__public_id=self.value()) if self.value() else queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("me", "Me"), ("unread", "Me, unread"), ("nobody", "Nobody"), ("anyone", "Anyone")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Submission]) -> QuerySet[Submission]:
        value, me = self.value(), request.user.pk or 0
        if value == "me":
            return queryset.filter(user_id=me)
        if value == "unread":
            return queryset.filter(user_id=me, assignee_read_at__isnull=True)
        if value == "nobody":
            return queryset.filter(user__isnull=True)
        if value == "anyone":
            return queryset.filter(user__isnull=False)
        return queryset


class MatterFilter(admin.SimpleListFilter):
    title = "matter"
    parameter_name = "matter"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return queue_matter_choices(user=request.user)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Submission]) -> QuerySet[Submission]:
        if not self.value():
            return queryset
        linked = MatterSubmission.objects.filter(matter__public_id=self.value()).values("submission_id")
        return queryset.filter(pk__in=linked)


class QueueActionForm(ActionForm):
    """The action menu, with the status and the member a bulk action applies (the members are set per request)."""

    # Plain text fields under their menus: the action, not the form, refuses a bad value, with a clear message.
    status = forms.CharField(
        required=False, widget=forms.Select(choices=[("", "New status…"), *SubmissionStatus.choices]), label="Status"
    )
    assignee = forms.CharField(required=False, widget=forms.Select(choices=[("", "Member…")]), label="Member")


class SubmissionQueueAdmin(RowCheckboxMixin, WorkspaceScopedAdmin):
    """The changelist half of ``SubmissionAdmin``."""

    list_display = ["case_id", "subject", "status", "assignee", "age", "form_and_version"]
    list_display_links = ["case_id"]
    list_filter = ["status", FormFilter, AssigneeFilter, ("created_at", ReceivedFilter), MatterFilter]
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice is a full count of the queue each
    sortable_by = ["age"]
    ordering = ["-created_at", "-id"]
    search_fields = ["public_id"]  # shows the search box; the search itself is ``get_search_results``
    search_help_text = "Id, submitter (name or e-mail), form title, or any text of the data; every word must match."
    list_per_page = 50
    show_full_result_count = False
    paginator = CountCappedPaginator
    action_form = QueueActionForm
    actions = ["claim", "assign", "unassign", "set_status", "export_csv", "export_xlsx"]

    class Media:
        css = {"all": ["css/queue.css"]}

    # --- Rows and search

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return QueueChangeList

    def get_paginator(self, request: HttpRequest, queryset: Any, per_page: int, *args: Any, **kwargs: Any) -> Any:
        paginator = CountCappedPaginator(queryset, per_page, *args, **kwargs)
        paginator.searching = bool(request.GET.get(SEARCH_VAR, "").strip())
        return paginator

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Submission], search_term: str
    ) -> tuple[QuerySet[Submission], bool]:
        if not search_term.strip():
            return queryset, False
        return queryset.filter(submission_search_q(text=search_term)), False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response: HttpResponse = super().changelist_view(request, extra_context)
        action_form = (getattr(response, "context_data", None) or {}).get("action_form")
        if action_form is not None:
            members = [(str(pk), name) for pk, name in queue_assignee_choices(user=request.user)]
            action_form.fields["assignee"].widget.choices = [("", "Member…"), *members]
        return response

    # --- Columns

    @admin.display(description="ID")
    def case_id(self, submission: Submission) -> str:
        return submission.public_id

    @admin.display(description="About")
    def subject(self, submission: Submission) -> str:
        name = getattr(submission, "subject_name", None)
        return (name[:80] + "…" if len(name) > 80 else name) if name else "—"

    @admin.display(description="Form")
    def form_and_version(self, submission: Submission) -> str:
        return f"{submission.form.title} · v{submission.form_version.version}"

    @admin.display(description="Assignee")
    def assignee(self, submission: Submission) -> str:
        user = submission.user
        if user is None:
            return format_html('<span class="queue-nobody">{}</span>', "Nobody")
        name = user.get_full_name() or user.username
        if submission.assignee_read_at is None:
            return format_html('{} <span class="queue-unread" title="{}">● unread</span>', name, "Not opened yet")
        return name

    @admin.display(description="Age", ordering="created_at")
    def age(self, submission: Submission) -> str:
        return timesince(submission.created_at, depth=1)

    # --- Bulk actions

    def _bulk(self, request: HttpRequest, queryset: QuerySet[Submission], act: Any, done: str) -> None:
        if queryset.order_by().values("pk")[: QUEUE_BULK_MAX + 1].count() > QUEUE_BULK_MAX:
            message = f"A bulk action changes at most {QUEUE_BULK_MAX} submissions; narrow the list first."
            self.message_user(request, message, level=messages.ERROR)
            return
        self.run_action(request, queryset, "change", act, done)

    @admin.action(description="Assign to me (claim)", permissions=["change"])
    def claim(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        user = request.user

        def claim(submission: Submission) -> None:
            submission_update(submission=submission, user_id=user.pk, acting_user=user)  # type: ignore[arg-type]

        self._bulk(request, queryset, claim, "Assigned {count} submission(s) to you.")

    @admin.action(description="Assign to the member chosen beside", permissions=["change"])
    def assign(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        member = request.POST.get("assignee", "").strip()
        if not member.isdigit():
            self.message_user(request, "Choose a member beside the action first.", level=messages.ERROR)
            return
        user = request.user

        def assign(submission: Submission) -> None:
            submission_update(submission=submission, user_id=int(member), acting_user=user)  # type: ignore[arg-type]

        self._bulk(request, queryset, assign, "Assigned {count} submission(s).")

    @admin.action(description="Unassign", permissions=["change"])
    def unassign(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        user = request.user

        def unassign(submission: Submission) -> None:
            submission_update(submission=submission, user_id=None, acting_user=user)  # type: ignore[arg-type]

        self._bulk(request, queryset, unassign, "Unassigned {count} submission(s).")

    @admin.action(description="Set the status chosen beside", permissions=["change"])
    def set_status(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        wanted = request.POST.get("status", "")
        if wanted not in SubmissionStatus.values:
            self.message_user(request, "Choose a status beside the action first.", level=messages.ERROR)
            return
        user, status = request.user, SubmissionStatus(wanted)

        def set_status(submission: Submission) -> None:
            submission_update(submission=submission, status=status, acting_user=user)  # type: ignore[arg-type]

        self._bulk(request, queryset, set_status, f"Set {{count}} submission(s) to {status.label}.")

    # --- Exports (MEMBER and up, as the API): the selected rows the user sees, the API's writers, audited alike

    def _export(self, request: HttpRequest, queryset: QuerySet[Submission], export_format: ExportFormat) -> Any:
        limit = settings.EXPORT_ASYNC_THRESHOLD_ROWS
        selected = queryset.order_by().values("pk")[: limit + 1].count()
        if selected > limit:
            # As the API: a large export is a background job, not a response held open for minutes.
            message = format_html(
                "More than {} submissions are selected: an export that large runs in the background. "
                '<a href="{}">Start an export</a> with the list\'s filters and download it when it is done.',
                f"{limit:,}",
                reverse("admin:submissions_exportjob_add"),
            )
            self.message_user(request, message, level=messages.WARNING)
            return None
        export = submission_export(
            submissions=submission_export_rows(queryset.order_by("-created_at", "-id")),
            export_format=export_format,
            workspace_ids=queryset.order_by().values_list("workspace_id", flat=True).distinct(),
            acting_user=request.user,
            via="admin",
            filters={"selected": str(selected)},
        )
        return export.response()

    @admin.action(description="Export selected submissions as CSV", permissions=["change"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Submission]) -> Any:
        return self._export(request, queryset, ExportFormat.CSV)

    @admin.action(description="Export selected submissions as XLSX", permissions=["change"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Submission]) -> Any:
        return self._export(request, queryset, ExportFormat.XLSX)

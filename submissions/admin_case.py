"""The submission's change page as a reviewer's case: the answers by field type, the actions, the history with its
side-by-side comparison and rollback, and the merged timeline.

``SubmissionCaseMixin`` replaces the ModelAdmin's change form (a submission's data changes through the API,
validated and snapshotted). Each action is a POST to ``<id>/case/<action>/`` that calls its service; what the
user may see is the admin's scoped queryset (``submissions.access``), and what it may do is the role of the
submission's own workspace: VIEWER reads, MEMBER reviews (status, assignment, notes, links, documents), ADMIN and
OWNER also roll back and manage visibility. A refusal is a 403, a domain error or bad input a message; neither
writes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from config.errors import ApplicationError
from submissions.admin_forms import AssignForm, AttachForm, NoteForm, ReferenceForm, StatusForm, VisibilityForm
from submissions.case import actor_name, case_get, next_statuses, share_link_state, snapshot_compare
from submissions.constants import SubmissionStatus, VisibilityMode
from submissions.history import snapshot_get
from submissions.links import share_url
from submissions.models import Submission
from submissions.services import (
    attachment_add,
    attachment_remove,
    note_create,
    share_link_create,
    share_links_revoke,
    submission_mark_read,
    submission_record_read,
    submission_rollback,
    submission_update,
    visibility_set,
)
from workspaces.access import MANAGE, REVIEW, Rights, user_may

# Who may do each action, by the role in the submission's own workspace.
_REVIEW, _MANAGE = Rights(change=REVIEW), Rights(change=MANAGE)


class SubmissionCaseMixin:
    """For ``SubmissionAdmin``: the case page, its actions, the comparison and the history page."""

    admin_site: Any
    opts: Any
    get_object: Callable[..., Any]
    has_view_permission: Callable[..., bool]
    has_delete_permission: Callable[..., bool]
    _get_obj_does_not_exist_redirect: Callable[..., Any]
    message_user: Callable[..., None]

    # --- URLs

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/case/<slug:action>/", wrap(self.case_action_view), name=f"{name}_case_action"),
            path("<path:object_id>/compare/", wrap(self.compare_view), name=f"{name}_compare"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    # --- Rights

    def _submission(self, request: HttpRequest, object_id: str) -> Submission | None:
        submission = self.get_object(request, unquote(object_id))
        if submission is None or not self.has_view_permission(request, submission):
            return None
        return submission

    def _missing(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """As the admin answers for a row the user may not see: back to the index, "does not exist"."""
        return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)

    @staticmethod
    def _may(request: HttpRequest, rights: Rights, submission: Submission) -> bool:
        return user_may(request.user, rights, "change", workspace_id=submission.workspace_id)

    def _context(self, request: HttpRequest, submission: Submission, **extra: Any) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": submission,
            "submission": submission,
            "may_review": self._may(request, _REVIEW, submission),
            "has_change_permission": self._may(request, _REVIEW, submission),
            "may_manage": self._may(request, _MANAGE, submission),
            "has_delete_permission": self.has_delete_permission(request, submission),
            "case_url": reverse("admin:submissions_submission_change", args=[submission.pk]),
            **extra,
        }

    # --- Pages

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        submission = self._submission(request, object_id)
        if submission is None:
            return self._missing(request, object_id)
        submission_mark_read(submission=submission, acting_user=request.user)  # type: ignore[arg-type]
        submission_record_read(submission=submission, acting_user=request.user, via="admin")  # type: ignore[arg-type]
        context = self._context(request, submission)
        case = case_get(submission=submission, request=request, reviewer=context["may_review"])
        members = [(str(m.user_id), m.user.get_full_name() or m.user.username) for m in case.members]
        context.update(
            title=f"{submission.public_id} · {submission.form.title}",
            case=case,
            share_links=[(link, share_link_state(link)) for link in case.share_links],
            status_form=StatusForm(choices=case.next_statuses),
            assign_form=AssignForm(members=members, initial={"user": str(submission.user_id or "")}),
            note_form=NoteForm(),
            visibility_form=VisibilityForm(instance=submission) if context["may_manage"] else None,
        )
        return TemplateResponse(request, "admin/submissions/submission/case.html", context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None) -> Any:
        """Every snapshot (version, trigger, actor, time, changes) and the merged timeline, not the stored rows."""
        submission = self._submission(request, object_id)
        if submission is None:
            return self._missing(request, object_id)
        context = self._context(request, submission)
        case = case_get(submission=submission, request=request, reviewer=False)
        context.update(title=f"History of {submission.public_id}", case=case)
        return TemplateResponse(request, "admin/submissions/submission/case_history.html", context)

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Two snapshots (``?a=&b=`` snapshot ids) side by side, field by field."""
        submission = self._submission(request, object_id)
        if submission is None:
            return self._missing(request, object_id)
        try:
            comparison = snapshot_compare(
                submission=submission, before_id=request.GET.get("a", ""), after_id=request.GET.get("b", "")
            )
        except ApplicationError as exc:
            self.message_user(request, f"Cannot compare: {exc.message}", level=messages.ERROR)
            return HttpResponseRedirect(reverse("admin:submissions_submission_history", args=[submission.pk]))
        context = self._context(request, submission, comparison=comparison)
        context["title"] = (
            f"{submission.public_id}: version {comparison.before.snapshot.version} "
            f"against version {comparison.after.snapshot.version}"
        )
        return TemplateResponse(request, "admin/submissions/submission/compare.html", context)

    # --- Actions

    def case_action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        rights = _ACTION_RIGHTS.get(action)
        submission = self._submission(request, object_id)
        if rights is None or submission is None:
            raise Http404("No such action or submission.")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self._may(request, rights, submission):
            raise PermissionDenied("Your role in this workspace does not allow this action.")
        try:
            message = self._act(request, submission, action)
        except (ApplicationError, _Invalid) as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            if message:
                self.message_user(request, message, messages.SUCCESS)
        anchor = "history" if action == "rollback" else "actions"
        return HttpResponseRedirect(reverse("admin:submissions_submission_change", args=[submission.pk]) + f"#{anchor}")

    def _act(self, request: HttpRequest, submission: Submission, action: str) -> str | None:
        """Run ``action``; the message to show on success (None: the action wrote its own)."""
        user: Any = request.user
        data = request.POST
        if action == "status":
            status_form = StatusForm(data, choices=next_statuses(submission.status))
            status = _valid(status_form)["status"]
            submission_update(submission=submission, status=SubmissionStatus(status), acting_user=user)
            return f"Status changed to {SubmissionStatus(status).label}."
        if action == "assign":
            members = [(str(m.user_id), "") for m in submission.workspace.memberships.all()]
            user_id = _valid(AssignForm(data, members=members))["user"] or None
            updated = submission_update(submission=submission, user_id=user_id, acting_user=user)
            return f"Assigned to {actor_name(updated.user)}." if updated.user else "Unassigned."
        if action == "note":
            note_create(submission=submission, content=_valid(NoteForm(data))["content"], acting_user=user)
            return "Note added."
        if action == "share":
            _, token = share_link_create(submission=submission, acting_user=user)
            self.message_user(
                request, f"Share link created (shown once, copy it now): {share_url(request, token)}", messages.SUCCESS
            )
            return None
        if action == "revoke":
            link_id = _valid(ReferenceForm(data))["id"]
            ids = [int(link_id)] if link_id.isdigit() else []
            count = share_links_revoke(submission=submission, link_ids=ids, acting_user=user)
            return "Share link revoked." if count else "That link was not live."
        if action == "attach":
            document = _valid(AttachForm(data))["document"]
            attachment = attachment_add(submission=submission, document_uuid=document, acting_user=user)
            return f"Attached {attachment.document.original_name}."
        if action == "detach":
            attachment_remove(submission=submission, attachment_id=_valid(ReferenceForm(data))["id"], acting_user=user)
            return "Attachment removed."
        if action == "visibility":
            form = VisibilityForm(data, instance=submission)
            _valid(form)
            visibility_set(
                submission=submission,
                mode=VisibilityMode(form.cleaned_data["visibility_mode"]),
                grants=form.grants(),
                acting_user=user,
            )
            return "Visibility saved."
        if action == "rollback":
            snapshot = snapshot_get(submission=submission, snapshot_id=_valid(ReferenceForm(data))["id"])
            before = submission.data
            submission_rollback(submission=submission, snapshot=snapshot, acting_user=user)
            if before == snapshot.data:
                return f"Version {snapshot.version} holds the current data: nothing to roll back."
            return f"Rolled back to version {snapshot.version} (a new snapshot)."
        raise Http404("No such action.")


# The role each action needs; anything not listed is a 404.
_ACTION_RIGHTS = {
    "status": _REVIEW,
    "assign": _REVIEW,
    "note": _REVIEW,
    "share": _REVIEW,
    "revoke": _REVIEW,
    "attach": _REVIEW,
    "detach": _REVIEW,
    "visibility": _MANAGE,
    "rollback": _MANAGE,
}


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        raise _Invalid(f"Nothing was changed: {problems}")
    data: dict[str, Any] = form.cleaned_data
    return data

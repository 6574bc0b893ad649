"""Who may see and change submissions: the one home of the visibility rules (Zulip's ``access_*_by_id``).

A submission of the caller's own workspace is visible to an OWNER always; in ``workspace`` mode to every member;
in ``restricted`` mode to its submitter and to the users and roles it is granted to. A restricted submission
granted to an overseer workspace is visible, read-only, to that workspace's members. Everything else is a 404.

Visibility itself is managed by ADMIN and OWNER (``submission_get_for_visibility``): they reach the visibility
settings of every submission of their workspace, also a restricted one whose data they may not read, so a
restriction they may set they may always undo; the data stays hidden until a grant (or the OWNER role) shows it.

The API (``request.auth``), the admin (``submission_admin_q``: the user's rows in each of its workspaces) and the
pages all ask these functions; no surface builds a visibility filter of its own. A form's preview page asks
``form_get_for_preview`` / ``form_version_get_for_preview``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.utils import timezone

from config.ids import token_hash
from submissions.constants import FormStatus, GrantTargetType, PublicSource, SubmissionStatus, VisibilityMode
from submissions.errors import DraftNotFound, FormNotFound, PublicLinkInvalid, ReadOnlyAccess, SubmissionNotFound
from submissions.models import (
    DraftLink,
    Form,
    FormInvitation,
    FormVersion,
    Submission,
    SubmissionAttachment,
    SubmissionFile,
    VisibilityGrant,
)
from workspaces.access import MANAGE, READ, Rights, require_role, role_allows, user_contexts, user_may
from workspaces.constants import Role
from workspaces.context import WorkspaceContext
from workspaces.selectors import overseen_workspace_ids

# Who reads a form in the admin, and so may preview it (the forms admin's own view right).
FORM_RIGHTS = Rights(view=READ)


def own_visible_q(*, context: WorkspaceContext, per_row: bool = False) -> Q:
    """Submissions of the caller's own workspace it may see: every one for an OWNER, else by mode and grants.

    ``per_row`` asks for the grant as a scalar subquery, looked up row by row in the grant index. As an
    EXISTS, PostgreSQL builds a hash of every grant of the caller first (25,000 of them in the benchmark:
    about 8 ms): right for a walk over hundreds of thousands of rows (a deep page), not for the few hundred
    rows of a first page or a capped count. SQLite looks up row by row either way.
    """
    own = Q(workspace=context.workspace)
    if role_allows(context.role, Role.OWNER):
        return own
    grants = VisibilityGrant.objects.filter(submission=OuterRef("pk")).filter(
        Q(target_type=GrantTargetType.WORKSPACE_ROLE, target_role=context.role)
        | (
            Q(target_type=GrantTargetType.USER, target_user_id=context.user_id)
            if context.user_id is not None
            else Q(pk__in=[])
        )
    )
    granted = Q(IsNull(Subquery(grants.values("pk")[:1]), False)) if per_row else Q(Exists(grants))
    # Cheap column tests first: the grant lookup runs only for restricted rows of someone else.
    restricted_ok = Q(user_id=context.user_id) | granted if context.user_id is not None else granted
    return own & (Q(visibility_mode=VisibilityMode.WORKSPACE) | restricted_ok)


def oversight_q(*, context: WorkspaceContext, overseen: Any) -> Q:
    """Restricted submissions of the workspaces in ``overseen`` (ids or a subquery) granted to the caller's."""
    oversight_grants = VisibilityGrant.objects.filter(
        submission=OuterRef("pk"),
        target_type=GrantTargetType.OVERSIGHT_WORKSPACE,
        target_workspace=context.workspace,
    )
    return Q(Exists(oversight_grants), visibility_mode=VisibilityMode.RESTRICTED, workspace_id__in=overseen)


def submission_visible_q(*, context: WorkspaceContext, per_row: bool = False) -> Q:
    """Rows the caller may see: own-workspace submissions by mode and grants, plus oversight grants."""
    own = own_visible_q(context=context, per_row=per_row)
    # Most workspaces oversee nobody: one small query spares every list an OR that would defeat its index.
    overseen = list(overseen_workspace_ids(overseer=context.workspace))
    if not overseen:
        return own
    return own | oversight_q(context=context, overseen=overseen)


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
    require_role(context, minimum_role)
    return submission


def submission_get_for_visibility(*, context: WorkspaceContext, public_id: str, write: bool = False) -> Submission:
    """A submission whose visibility settings the caller may read (``write``: change).

    ADMIN and OWNER reach every submission of their own workspace, restricted or not; anyone else reads the
    settings of a submission it may see (overseers read-only) and may not change them.
    """
    if role_allows(context.role, MANAGE):
        submission = (
            Submission.objects.select_related("form", "form_version", "user")
            .filter(workspace=context.workspace, public_id=public_id)
            .first()
        )
        if submission is not None:
            return submission
    return submission_get_for_member(
        context=context, public_id=public_id, minimum_role=MANAGE if write else Role.VIEWER
    )


def submission_admin_q(*, user: User | AnonymousUser) -> Q:
    """The submissions a user may see in the admin: what it may see in each of its workspaces, together.

    Grants are looked up row by row (``own_visible_q(per_row=True)``): the admin reads a page or one row.
    """
    contexts = user_contexts(user).values()
    return reduce(or_, (submission_visible_q(context=context, per_row=True) for context in contexts), Q(pk__in=[]))


def form_get_for_preview(*, user: User | AnonymousUser, public_id: str) -> Form:
    """A form the admin user may read (VIEWER or more in its workspace, as the forms admin), or FormNotFound."""
    form = Form.objects.filter(public_id=public_id).select_related("workspace").first()
    if form is None or not user_may(user, FORM_RIGHTS, "view", workspace_id=form.workspace_id):
        raise FormNotFound("No such form.")
    return form


def form_version_get_for_preview(*, user: User | AnonymousUser, public_id: str) -> FormVersion:
    """A form version the admin user may read, or FormNotFound."""
    version = FormVersion.objects.filter(public_id=public_id).select_related("form__workspace").first()
    if version is None or not user_may(user, FORM_RIGHTS, "view", workspace_id=version.form.workspace_id):
        raise FormNotFound("No such form version.")
    return version


def documents_hidden_q(user: User | AnonymousUser) -> Q:
    """The documents of the restricted submissions ``user`` may not see, named by a file field or attached: as
    hidden as the data (registered with ``documents.access`` for every document list).

    A document also belonging to a submission the user sees stays hidden: the stricter rule wins (a document
    lists its own workspace's files, so an overseer's grant does not show them there).
    """
    restricted = (
        Q(workspace=context.workspace, visibility_mode=VisibilityMode.RESTRICTED) & ~own_visible_q(context=context)
        for context in user_contexts(user).values()
    )
    hidden = Submission.objects.filter(reduce(or_, restricted, Q(pk__in=[])))
    named = SubmissionFile.objects.filter(submission__in=hidden).values("document_id")
    attached = SubmissionAttachment.objects.filter(submission__in=hidden).values("document_id")
    return Q(pk__in=named) | Q(pk__in=attached)


# --- Public form pages (anonymous clients) ---------------------------------------------------------


@dataclass(frozen=True)
class PublicFormEntry:
    """How a client reached a public form page: the form's open address, an invitation, or a draft's resume link
    (which keeps the way the draft was started: its invitation, or the open address)."""

    form: Form
    version: FormVersion
    invitation: FormInvitation | None = None
    draft: DraftLink | None = None

    @property
    def source(self) -> str:
        """``metadata.source`` of what the page submits."""
        return PublicSource.INVITATION if self.invitation is not None else PublicSource.PUBLIC_FORM

    @property
    def expires_at(self) -> datetime | None:
        """Until when the link works (None: the form's open address has no end)."""
        link = self.draft or self.invitation
        return link.expires_at if link is not None else None


INVALID_LINK = "The link is invalid or has expired."


def _live(link: FormInvitation | DraftLink) -> bool:
    return link.revoked_at is None and link.expires_at > timezone.now()


def public_form_entry(
    *, workspace_slug: str, form_slug: str, invitation_token: str = "", draft_token: str = ""
) -> PublicFormEntry:
    """The published form a client may fill in at this address, or an error: FormNotFound (404) for a form that is
    not published or not open to the public; PublicLinkInvalid for an unknown, expired or revoked invitation or
    resume link, or a resume link whose way in is closed since (public switch off, invitation revoked).

    Every public form page, its uploads and its sends ask this function; nothing else decides who may answer.
    """
    form = (
        Form.objects.select_related("workspace")
        .filter(workspace__slug=workspace_slug, slug=form_slug, status=FormStatus.PUBLISHED)
        .first()
    )
    if form is None:
        raise FormNotFound("No such form.")
    if draft_token:
        link = (
            DraftLink.objects.select_related("submission__form_version", "invitation")
            .filter(token_hash=token_hash(draft_token), submission__form=form)
            .first()
        )
        way_in_open = link is not None and (_live(link.invitation) if link.invitation is not None else form.is_public)
        if link is None or not _live(link) or not way_in_open:
            raise PublicLinkInvalid(INVALID_LINK)
        return PublicFormEntry(form, link.submission.form_version, link.invitation, link)
    invitation = None
    if invitation_token:
        invitation = FormInvitation.objects.filter(token_hash=token_hash(invitation_token), form=form).first()
        if invitation is None or not _live(invitation):
            raise PublicLinkInvalid(INVALID_LINK)
    elif not form.is_public:
        raise FormNotFound("No such form.")
    version = form.versions.order_by("-version").first()
    if version is None:
        raise FormNotFound("No such form.")
    version.form = form
    return PublicFormEntry(form, version, invitation)


def public_form_sent_get(*, workspace_slug: str, form_slug: str, public_id: str) -> Submission:
    """The submission a send's confirmation page names (``public_id`` comes signed from that send), only at its own
    form's address; else FormNotFound. The page shows its reference, its form's title and its workspace's name."""
    submission = (
        Submission.objects.select_related("form__workspace")
        .filter(public_id=public_id, form__slug=form_slug, form__workspace__slug=workspace_slug)
        .first()
    )
    if submission is None:
        raise FormNotFound("No such form.")
    return submission

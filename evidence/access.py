"""Who may ask for, follow and download an evidence pack: the one home of those rules, asked by the API, the admin
and the worker.

A pack shows everything about its subject, so it needs the reviewer's role (MEMBER or higher) in the subject's own
workspace and sight of the subject by the rules of its app: a workflow of the workspace (``workflows``), a
submission the caller may see (``submissions.access``: a restricted one it is not granted is a 404, one an
overseer workspace reads is refused). The rules are asked again on every poll and download, and by the worker
for the requester as it is then: a pack never shows what its reader may no longer see.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from evidence.constants import PackSubject
from evidence.errors import EvidencePackNotFound
from evidence.models import EvidencePack
from submissions.access import own_visible_q, submission_get_for_member
from submissions.models import Submission
from workflows.models import Workflow
from workflows.selectors.requirements import workflow_get
from workspaces.access import REVIEW, require_role, user_contexts
from workspaces.constants import Role
from workspaces.context import WorkspaceContext
from workspaces.models import Membership

PACK_ROLE = REVIEW


def evidence_workflow_get(*, context: WorkspaceContext, workflow_id: str) -> Workflow:
    """A workflow of the caller's workspace whose pack it may have (404 elsewhere, 403 below MEMBER)."""
    workflow = workflow_get(workspace=context.workspace, public_id=workflow_id)
    require_role(context, PACK_ROLE)
    return workflow


def evidence_submission_get(*, context: WorkspaceContext, submission_id: str) -> Submission:
    """A submission the caller may see and review, whose pack it may have."""
    return submission_get_for_member(context=context, public_id=submission_id, minimum_role=PACK_ROLE)


def evidence_subject_check(*, context: WorkspaceContext, pack: EvidencePack) -> None:
    """Raise unless the caller may (still) have this pack's subject."""
    if pack.subject_type == PackSubject.WORKFLOW:
        assert pack.workflow is not None
        evidence_workflow_get(context=context, workflow_id=pack.workflow.public_id)
    else:
        assert pack.submission is not None
        evidence_submission_get(context=context, submission_id=pack.submission.public_id)


def evidence_pack_get(*, context: WorkspaceContext, pack_id: str) -> EvidencePack:
    """A pack of the caller's workspace whose subject it may have; anything else is a 404 (or the subject's 403)."""
    pack = (
        EvidencePack.objects.select_related("workspace", "workflow", "submission", "requested_by")
        .filter(workspace=context.workspace, public_id=pack_id)
        .first()
    )
    if pack is None:
        raise EvidencePackNotFound("No such evidence pack in this workspace.", details={"pack_id": pack_id})
    evidence_subject_check(context=context, pack=pack)
    return pack


def evidence_packs_visible(*, context: WorkspaceContext) -> QuerySet[EvidencePack]:
    """The packs of the caller's workspace it may follow (403 below MEMBER): every workflow's, and those of the
    submissions it may see (a restricted one not granted to it is left out). The list's rule, the same as
    ``evidence_pack_get``'s for one pack."""
    require_role(context, PACK_ROLE)
    visible = Submission.objects.filter(own_visible_q(context=context, per_row=True)).values("pk")
    return EvidencePack.objects.filter(workspace=context.workspace).filter(
        Q(subject_type=PackSubject.WORKFLOW) | Q(submission__in=visible)
    )


def admin_context(user: User | AnonymousUser, workspace_id: int) -> WorkspaceContext | None:
    """The admin user's context in a workspace (its membership), or None: superusers hold no workspace role."""
    return user_contexts(user).get(workspace_id)


def requester_context(pack: EvidencePack) -> WorkspaceContext | None:
    """The context the pack's requester acts with now (its membership, or its API key's role); None once gone."""
    api_key = pack.requested_by_api_key
    if pack.requested_by is not None:
        membership = Membership.objects.filter(workspace=pack.workspace, user=pack.requested_by).first()
        if membership is None or not pack.requested_by.is_active:
            return None
        return WorkspaceContext(
            workspace=pack.workspace, role=Role(membership.role), user=pack.requested_by, api_key=api_key
        )
    if api_key is None or not api_key.is_active:
        return None
    return WorkspaceContext(workspace=pack.workspace, role=Role(api_key.role), api_key=api_key)

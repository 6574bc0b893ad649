"""Reads of evidence packs; which packs a caller may see is ``evidence.access``'s."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from evidence.access import evidence_packs_visible
from evidence.constants import PackState, PackSubject
from evidence.models import EvidencePack
from workspaces.context import WorkspaceContext


def evidence_pack_list(
    *,
    context: WorkspaceContext,
    state: PackState | None = None,
    subject_type: PackSubject | None = None,
    subject_id: str | None = None,
    before_id: int | None = None,
) -> QuerySet[EvidencePack]:
    """The caller's visible packs, newest first; ``before_id`` is the previous page's ``nextBeforeId``."""
    packs = evidence_packs_visible(context=context).select_related("workflow", "submission").order_by("-id")
    if state:
        packs = packs.filter(state=state)
    if subject_type:
        packs = packs.filter(subject_type=subject_type)
    if subject_id:
        packs = packs.filter(Q(workflow__public_id=subject_id) | Q(submission__public_id=subject_id))
    if before_id:
        packs = packs.filter(pk__lt=before_id)
    return packs

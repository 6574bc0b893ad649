"""The "Evidence pack" button of the workflow page and the case page: shown to those whose role may ask for one."""

from __future__ import annotations

from typing import Any

from django import template

from evidence.access import PACK_ROLE
from evidence.constants import PackSubject
from evidence.models import EvidencePack
from workspaces.access import Rights, user_may

register = template.Library()

_ASK = Rights(change=PACK_ROLE)
RECENT = 3


@register.inclusion_tag("admin/evidence/_button.html", takes_context=True)
def evidence_pack_button(context: dict[str, Any], subject: Any) -> dict[str, Any]:
    """``subject``: a Workflow or a Submission; the latest packs of it are listed beside the button."""
    request = context["request"]
    subject_type = PackSubject.WORKFLOW if subject._meta.model_name == "workflow" else PackSubject.SUBMISSION
    may = user_may(request.user, _ASK, "change", workspace_id=subject.workspace_id)
    packs = EvidencePack.objects.filter(**{subject_type: subject}).order_by("-created_at", "-id")[:RECENT]
    return {
        "may": may,
        "subject_type": subject_type,
        "subject": subject,
        "packs": list(packs) if may else [],
        "csrf_token": context.get("csrf_token"),
    }

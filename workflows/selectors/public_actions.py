"""Reads of public actions: by link token (for the end client) and per workspace (for its members)."""

from __future__ import annotations

from django.db.models import QuerySet

from config.ids import token_hash
from submissions.models import FormVersion
from workflows.access import LINK_INVALID, public_action_refusal
from workflows.errors import FormVersionNotFound, InvalidToken
from workflows.models import PublicAction, PublicActionFile
from workflows.selectors.requirements import workflow_get
from workspaces.models import Workspace

MAX_TOKEN_LENGTH = 200


def public_action_get_by_token(
    *,
    token: str,
    for_update: bool = False,
    allow_completed: bool = False,
    lock_root_record: bool = False,
    with_forms: bool = True,
    with_entity_forms: bool = True,
) -> PublicAction:
    """The action a link token opens, or InvalidToken (401) when it is unknown or refused by the access rule.

    ``for_update`` locks the action's row, so two requests with one token run one after the other;
    ``lock_root_record`` also locks the workflow's root record in the same query (the submission updates it).
    ``with_forms`` joins the root form version and its form; ``with_entity_forms`` then loads the role-entity
    form versions with a second, small query (only when the action has any): joined into the first, PostgreSQL
    spent longer planning the eight-table join than both queries take together.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken(LINK_INVALID)
    related = ["workspace", "workflow__subject_record"] + (["form_version__form"] if with_forms else [])
    queryset = PublicAction.objects.select_related(*related)
    if with_forms:
        # The form's draft schema is as large as the version's and no reader of an action needs it.
        queryset = queryset.defer("form_version__form__schema", "form_version__form__description")
    if for_update:
        queryset = queryset.select_for_update(
            of=("self", "workflow__subject_record") if lock_root_record else ("self",)
        )
    # token_hash is unique: no ORDER BY/LIMIT of .first() (building its ORDER BY hashed expressions: ~0.1 ms CPU).
    action = next(iter(queryset.filter(token_hash=token_hash(token))), None)
    if action is None:
        raise InvalidToken(LINK_INVALID)
    refusal = public_action_refusal(action, allow_completed=allow_completed)
    if refusal is not None:
        raise InvalidToken(refusal)
    if with_forms and with_entity_forms:
        _attach_entity_form_versions(action)
    return action


def _attach_entity_form_versions(action: PublicAction) -> None:
    ids = [pk for pk in (action.individual_form_version_id, action.company_form_version_id) if pk is not None]
    if not ids:
        return
    versions = FormVersion.objects.in_bulk(ids)
    action.individual_form_version = versions.get(action.individual_form_version_id)
    action.company_form_version = versions.get(action.company_form_version_id)


def public_action_files(*, action: PublicAction) -> list[PublicActionFile]:
    """The files an action's submission announced, in the order they were answered, with their documents."""
    return list(
        PublicActionFile.objects.filter(action=action).select_related("record_document__document").order_by("position")
    )


def public_action_list(
    *, workspace: Workspace, workflow_public_id: str | None = None, status: str | None = None
) -> QuerySet[PublicAction]:
    """The workspace's public actions, newest first; a workflow id of another workspace is a 404."""
    actions = PublicAction.objects.filter(workspace=workspace)
    if workflow_public_id:
        actions = actions.filter(workflow=workflow_get(workspace=workspace, public_id=workflow_public_id))
    if status:
        actions = actions.filter(status=status)
    return actions.select_related("workflow", "form_version").order_by("-created_at", "-pk")


def form_version_get_for_workspace(*, workspace: Workspace, form_version_id: str) -> FormVersion:
    """A published form version of one of ``workspace``'s forms (by its public id); 404 otherwise."""
    version = (
        FormVersion.objects.filter(form__workspace=workspace, public_id=form_version_id).select_related("form").first()
    )
    if version is None:
        raise FormVersionNotFound(
            "No such form version in this workspace.", details={"form_version_id": form_version_id}
        )
    return version

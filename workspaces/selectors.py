from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import router
from django.db.models import Aggregate, Model, OuterRef, QuerySet, Subquery, TextField

from config.ids import token_hash
from config.inputs import database_id
from perf import sqlmemo
from workspaces.models import ApiKey, Membership, OversightRelationship, Workspace


def api_key_get_active(*, raw_key: str) -> ApiKey | None:
    return (
        ApiKey.objects.select_related("workspace")
        .filter(hashed_key=token_hash(raw_key), revoked_at__isnull=True)
        .first()
    )


class _IdList(Aggregate):
    """The ids as one comma-separated text ("3,7"), NULL for none."""

    function = "string_agg"
    template = "%(function)s(CAST(%(expressions)s AS text), ',')"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="group_concat", template="%(function)s(%(expressions)s)")


def _overseen_ids(workspace: Any) -> Subquery:
    """The ids of the workspaces ``workspace`` (an expression) actively oversees, as ``_IdList`` text."""
    relationships = OversightRelationship.objects.filter(overseer_id=workspace, active=True).order_by()
    return Subquery(relationships.values("overseer_id").annotate(ids=_IdList("overseen_id")).values("ids")[:1])


def _id_tuple(text: str | None) -> tuple[int, ...]:
    return tuple(int(pk) for pk in text.split(",")) if text else ()


@dataclass(frozen=True)
class KeyCredential:
    """An active API key, with its workspace, the member ``X-USER-ID`` named (if any) with its user, and the
    workspaces the key's workspace oversees: what authenticating a request needs, read in one query."""

    api_key: ApiKey
    membership: Membership | None
    overseen_ids: tuple[int, ...]


def _concrete(model: type[Model]) -> list[Any]:
    return [field for field in model._meta.get_fields() if field.concrete]


def api_key_credential(*, raw_key: str, user_id: int | str | None = None) -> KeyCredential | None:
    """The active key ``raw_key`` and, when ``user_id`` is given, that user's membership of the key's workspace.

    None when the key is not active, or ``user_id`` names no member of its workspace (then ``api_key_get_active``
    tells the two apart). One query either way: the key and its workspace (and the membership and its user), and
    the workspaces the key's workspace oversees. Its SQL is compiled once per key and user (``perf.sqlmemo``).
    """
    hashed = token_hash(raw_key)
    member_id = None
    if user_id is not None:
        member_id = database_id(user_id)
        if member_id is None:
            return None
    groups: list[tuple[type[Model], str]] = [(ApiKey, ""), (Workspace, "workspace__")]
    if member_id is not None:
        groups = [(ApiKey, "workspace__api_keys__"), (Workspace, "workspace__"), (Membership, ""), (User, "user__")]
    fields = [field for model, _ in groups for field in _concrete(model)]

    def build() -> QuerySet[Any]:
        base: QuerySet[Any] = ApiKey.objects.filter(hashed_key=hashed, revoked_at__isnull=True)
        if member_id is not None:
            base = Membership.objects.filter(
                user_id=member_id, workspace__api_keys__hashed_key=hashed, workspace__api_keys__revoked_at__isnull=True
            )
        paths = [prefix + field.attname for model, prefix in groups for field in _concrete(model)]
        return base.order_by("pk").values_list(*paths, _overseen_ids(OuterRef("workspace_id")))[:1]

    row = sqlmemo.first_values(ApiKey, ("api_key_credential", hashed, member_id), build, fields)
    if row is None:
        return None
    using = router.db_for_read(ApiKey)
    found: dict[type[Model], Any] = {}
    start = 0
    for model, _ in groups:
        names = [field.attname for field in _concrete(model)]
        found[model] = model.from_db(using, names, row[start : start + len(names)])
        start += len(names)
    api_key, workspace = found[ApiKey], found[Workspace]
    api_key.workspace = workspace
    membership = found.get(Membership)
    if membership is not None:
        membership.workspace, membership.user = workspace, found[User]
    return KeyCredential(api_key=api_key, membership=membership, overseen_ids=_id_tuple(row[start]))


def membership_get(*, workspace_id: int, user_id: int | str) -> Membership | None:
    """The membership of the user ``user_id`` (an int or its decimal string, as a client sends it), with its user;
    None when that user is not a member or ``user_id`` is no user id at all."""
    member_id = database_id(user_id)
    if member_id is None:
        return None
    return Membership.objects.select_related("user").filter(workspace_id=workspace_id, user_id=member_id).first()


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.select_related("workspace").filter(user=user).order_by("workspace__name")


def workspace_parse_public_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def oversight_is_active(*, overseer: Workspace, overseen: Workspace) -> bool:
    return OversightRelationship.objects.filter(overseer=overseer, overseen=overseen, active=True).exists()


def overseen_workspace_ids(*, overseer: Workspace) -> QuerySet[OversightRelationship, int]:
    return OversightRelationship.objects.filter(overseer=overseer, active=True).values_list("overseen_id", flat=True)


def overseer_workspace_ids(*, overseen_id: int) -> QuerySet[OversightRelationship, int]:
    """The workspaces that actively oversee ``overseen_id``: who an oversight grant may name."""
    return OversightRelationship.objects.filter(overseen_id=overseen_id, active=True).values_list(
        "overseer_id", flat=True
    )

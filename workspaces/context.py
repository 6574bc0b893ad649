from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from workspaces.constants import Role
from workspaces.models import ApiKey, Workspace


@dataclass(frozen=True)
class WorkspaceContext:
    """Who is acting, in which workspace, with which role. DRF puts it on ``request.auth``.

    ``user`` is None when an API key acts on its own (no ``X-USER-ID``); it then has the key's role.
    ``overseen_ids``: the workspaces this one actively oversees, when the authentication read them with the key
    (None: not read; ``workspaces.selectors.overseen_workspace_ids`` asks).
    """

    workspace: Workspace
    role: Role
    user: User | None = None
    api_key: ApiKey | None = None
    overseen_ids: tuple[int, ...] | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

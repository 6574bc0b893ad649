"""Who wrote a history row when no user did: the API key's name, on every historical model.

django-simple-history records ``history_user``, the acting user, which an API key acting on its own (no
``X-USER-ID``) does not have. Every model's history is a ``History``, whose rows have ``history_api_key``: the
name of the API key the request authenticated with, read from the request simple-history keeps for the thread
(``HistoricalRecords.context.request``, whose ``auth`` is the ``WorkspaceContext`` the API's authentication set).
It is stamped on ``save()``'s rows by the ``pre_create_historical_record`` signal and on the bulk writes'
(``perf.history``) by the same function, so no write can forget it. Empty outside an API-key request.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

API_KEY_NAME_LENGTH = 100  # workspaces.ApiKey.name


class ActorFields(models.Model):
    """The extra column of every historical row."""

    history_api_key = models.CharField(
        max_length=API_KEY_NAME_LENGTH, blank=True, default="", help_text="The API key that made the change."
    )

    class Meta:
        abstract = True


class History(HistoricalRecords):
    """``HistoricalRecords`` whose rows also say which API key made the change (see the module)."""

    def __init__(self, *args: Any, bases: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, bases=[*bases, ActorFields], **kwargs)


def current_api_key_name() -> str:
    """The name of the API key the current request authenticated with; "" without one."""
    request = getattr(HistoricalRecords.context, "request", None)
    api_key = getattr(getattr(request, "auth", None), "api_key", None)
    return str(api_key.name) if api_key is not None else ""


def actor_label(user: Any, api_key_name: str) -> str:
    """How a history row's author is shown: the user, else ``API key <name>``, else "" (nobody known)."""
    if user is not None:
        return str(user.get_full_name() or user.get_username())
    return f"API key {api_key_name}" if api_key_name else ""


SYSTEM_ACTOR = "System"


def written_by(user: Any, api_key_name: str) -> str:
    """Who wrote a snapshot or a timeline event, as the case page, the history endpoint and the evidence pack say
    it: ``actor_label``, else "System": written with neither a user nor a key (``seed_demo`` and the other
    commands, a worker, a public form's client; also a user deleted since)."""
    return actor_label(user, api_key_name) or SYSTEM_ACTOR


@receiver(pre_create_historical_record)
def _stamp_api_key(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    if hasattr(history_instance, "history_api_key"):
        history_instance.history_api_key = current_api_key_name()

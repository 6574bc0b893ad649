"""Which documents a user may see: those of its workspaces, less those the records they belong to keep from it.

The documents app stores files for the others and does not know their records; the app that owns a rule about
its records' files registers it here when it is ready (``AppConfig.ready``): the submissions app hides the
files of a restricted submission from whoever may not see the submission. Every document list asks
``document_hidden_q``, so a new rule reaches them all.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import or_

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

HiddenDocuments = Callable[[User | AnonymousUser], Q]
_RULES: list[HiddenDocuments] = []


def document_rule_register(rule: HiddenDocuments) -> None:
    """``rule(user)``: a Q of the documents the user may not see."""
    if rule not in _RULES:
        _RULES.append(rule)


def document_hidden_q(*, user: User | AnonymousUser) -> Q:
    """The documents some registered rule keeps from ``user`` (matches none when no rule does)."""
    return reduce(or_, (rule(user) for rule in _RULES), Q(pk__in=[]))

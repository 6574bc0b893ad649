"""Bulk writes that keep django-simple-history's rows, without its per-call overhead.

``simple_history.utils.bulk_create_with_history`` writes the same rows, but every access to ``Model.history``
builds a new manager class (``Manager.from_queryset`` and ``inspect.getmembers``): about a fifth of a
millisecond each, several times per request on the hot paths. Here the historical model is looked up once per
model, and each call is one INSERT of the rows plus one INSERT of their history rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

M = TypeVar("M", bound=models.Model)


@cache
def history_model(model: type[models.Model]) -> Any:
    """The historical model django-simple-history registered for ``model``."""
    return model.history.model  # type: ignore[attr-defined]


def history_rows_create(objs: Sequence[models.Model], *, history_type: str) -> None:
    """One history row per object, as ``save()`` would write it (``+`` created, ``~`` changed), in one INSERT.

    The author is what simple_history would record (the signed-in user of the current request, if any); no
    change reason. All objects are of one model.
    """
    if not objs:
        return
    historical = history_model(type(objs[0]))
    now = timezone.now()
    user = historical.get_default_history_user(objs[0])
    fields = [field.attname for field in historical.tracked_fields]
    historical._default_manager.bulk_create(
        [
            historical(
                history_date=now,
                history_type=history_type,
                history_user=user,
                history_change_reason=None,
                **{name: getattr(obj, name) for name in fields},
            )
            for obj in objs
        ]
    )


def bulk_create_with_history(objs: Sequence[M], model: type[M]) -> list[M]:
    """``bulk_create`` of ``objs`` (primary keys returned) and one INSERT of their ``+`` history rows."""
    created = model._default_manager.bulk_create(objs)
    history_rows_create(created, history_type="+")
    return created

"""Bulk writes that keep django-simple-history's rows, without its per-call overhead.

``simple_history.utils.bulk_create_with_history`` writes the same rows, but every access to ``Model.history``
builds a new manager class (``Manager.from_queryset`` and ``inspect.getmembers``): about a fifth of a
millisecond each, several times per request on the hot paths. Here the historical model is looked up once per
model.

On PostgreSQL a write and its history rows are one statement: the INSERT (or UPDATE) returns the new rows and
the history INSERT selects from them (``WITH changed AS (... RETURNING ...) INSERT INTO history SELECT ...``),
so the history holds exactly what the database stored. Elsewhere (SQLite) they are two statements. The hot
paths save a round trip per table this way (five of a public action submit's fifteen statements).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import connections, models, router
from django.db.models import sql
from django.utils import timezone

from config.actors import current_api_key_name

M = TypeVar("M", bound=models.Model)
_DEFAULT_USER: Any = object()  # "whoever simple_history would record": the signed-in user of the request, if any
HISTORY_COLUMNS = ("history_date", "history_type", "history_user", "history_change_reason", "history_api_key")


@cache
def history_model(model: type[models.Model]) -> Any:
    """The historical model django-simple-history registered for ``model``."""
    return model.history.model  # type: ignore[attr-defined]


def _history_user(obj: models.Model, user: Any) -> Any:
    return history_model(type(obj)).get_default_history_user(obj) if user is _DEFAULT_USER else user


def history_rows_create(
    objs: Sequence[models.Model],
    *,
    history_type: str,
    history_user: Any = _DEFAULT_USER,
    change_reason: str | None = None,
) -> None:
    """One history row per object, as ``save()`` would write it (``+`` created, ``~`` changed), in one INSERT.

    The author is what simple_history would record (the signed-in user of the current request, if any) unless
    ``history_user`` is given; the request's API key is stamped as ``save()`` would (``config.actors``). All
    objects are of one model.
    """
    if not objs:
        return
    historical = history_model(type(objs[0]))
    now = timezone.now()
    user = _history_user(objs[0], history_user)
    api_key = current_api_key_name()
    fields = [field.attname for field in historical.tracked_fields]
    historical._default_manager.bulk_create(
        [
            historical(
                history_date=now,
                history_type=history_type,
                history_user=user,
                history_change_reason=change_reason,
                history_api_key=api_key,
                **{name: getattr(obj, name) for name in fields},
            )
            for obj in objs
        ]
    )


def bulk_create_with_history(
    objs: Sequence[M], model: type[M], *, history_user: Any = _DEFAULT_USER, change_reason: str | None = None
) -> list[M]:
    """``bulk_create`` of ``objs`` (primary keys set on them) with their ``+`` history rows; ``objs`` returned."""
    objs = list(objs)
    if not objs:
        return objs
    using = router.db_for_write(model)
    if _one_statement(model, using, rows=len(objs)):
        rows: list[models.Model] = list(objs)
        for row in rows:
            row._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
        query = sql.InsertQuery(model)
        query.insert_values(_insert_fields(model), rows, raw=False)
        compiler = query.get_compiler(using=using)
        compiler.returning_fields = _source_fields(model)
        [(write_sql, write_params)] = compiler.as_sql()
        ids = _write_with_history(model, using, write_sql, write_params, objs[0], "+", history_user, change_reason)
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = using
        return objs
    created = model._default_manager.db_manager(using).bulk_create(objs)
    history_rows_create(created, history_type="+", history_user=history_user, change_reason=change_reason)
    return created


def update_with_history(
    obj: models.Model,
    values: dict[str, Any],
    *,
    where: models.Q | None = None,
    history_user: Any = _DEFAULT_USER,
    change_reason: str | None = None,
) -> bool:
    """UPDATE ``obj``'s row to ``values`` (field names; no signals, no ``auto_now``: pass ``updated_at``) and write
    its ``~`` history row, like ``save(update_fields=...)`` with history but cheaper.

    With ``where``, the row is only updated if it also matches it (decided by the database, so a concurrent change
    cannot slip in between a read and this write). Returns whether it was updated; ``obj`` takes ``values`` then.
    """
    model = type(obj)
    using = router.db_for_write(model)
    rows = model._default_manager.db_manager(using).filter(pk=obj.pk)
    if where is not None:
        rows = rows.filter(where)
    if not _one_statement(model, using, rows=1):
        if not rows.update(**values):
            return False
        _assign(obj, values)
        history_rows_create([obj], history_type="~", history_user=history_user, change_reason=change_reason)
        return True
    query = cast(sql.UpdateQuery, rows.query.chain(sql.UpdateQuery))
    query.add_update_values(values)
    update_sql, update_params = query.get_compiler(using=using).as_sql()
    updated = _write_with_history(
        model, using, f"{update_sql} {_returning(model, using)}", update_params, obj, "~", history_user, change_reason
    )
    if updated:
        _assign(obj, values)
    return bool(updated)


def _assign(obj: models.Model, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(obj, name, value)


# --- PostgreSQL: one statement per write and its history -----------------------------------------


def _column(field: Any, attribute: str = "column") -> str:
    """A concrete field's column (or attname); django-stubs types both as optional."""
    return str(getattr(field, attribute))


def _one_statement(model: type[models.Model], using: str, *, rows: int) -> bool:
    """A data-modifying CTE can carry the history: PostgreSQL, and per-row history defaults only for one row."""
    if not settings.PERF_HISTORY_CTE or connections[using].vendor != "postgresql":
        return False
    return rows == 1 or not _history_extra_fields(model)


@cache
def _insert_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """What ``bulk_create`` inserts for objects without a primary key: every concrete column but the auto pk."""
    return [
        field
        for field in model._meta.concrete_fields
        if not field.generated and not (field.primary_key and isinstance(field, models.AutoField))
    ]


@cache
def _source_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The columns the history copies: the primary key and every tracked field."""
    tracked = {field.attname for field in history_model(model).tracked_fields}
    return [field for field in model._meta.concrete_fields if field.primary_key or field.attname in tracked]


@cache
def _history_extra_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """History columns that neither copy the row nor are simple_history's own (a submission's ``snapshot_id``)."""
    copied = {field.attname for field in _source_fields(model)}
    return [
        field
        for field in history_model(model)._meta.concrete_fields
        if not field.primary_key and field.attname not in copied and field.name not in HISTORY_COLUMNS
    ]


@cache
def _returning(model: type[models.Model], using: str) -> str:
    """``RETURNING`` the columns a history row copies, for an UPDATE of ``model``."""
    quote = connections[using].ops.quote_name
    return "RETURNING " + ", ".join(quote(_column(field)) for field in _source_fields(model))


@cache
def _history_insert(model: type[models.Model], using: str) -> str:
    """The history half of ``_write_with_history``'s statement, the same for every write of ``model``:
    ``INSERT INTO <history> (...) SELECT changed.<source columns>, %s... FROM changed RETURNING <pk>``, its
    parameters simple_history's own columns (``HISTORY_COLUMNS``), then the extra fields'."""
    quote = connections[using].ops.quote_name
    historical = history_model(model)
    source = _source_fields(model)
    written = [historical._meta.get_field(field.attname) for field in source]
    written += [historical._meta.get_field(name) for name in HISTORY_COLUMNS] + _history_extra_fields(model)
    selected = [f"changed.{quote(_column(field))}" for field in source]
    selected += ["%s"] * (len(written) - len(source))
    pk_column = quote(_column(historical._meta.get_field(model._meta.pk.attname)))
    return (
        f"INSERT INTO {quote(historical._meta.db_table)} ({', '.join(quote(_column(field)) for field in written)}) "
        f"SELECT {', '.join(selected)} FROM changed RETURNING {pk_column}"
    )


def _write_with_history(
    model: type[models.Model],
    using: str,
    write_sql: str,
    write_params: Sequence[Any],
    first: models.Model,
    history_type: str,
    history_user: Any,
    change_reason: str | None,
) -> list[Any]:
    """Run ``write_sql`` (an INSERT or UPDATE returning the source columns) and insert a history row per row
    it returns, in one statement; the written rows' primary keys, in the order the write returned them.

    Like Django's own ``bulk_create`` with ``RETURNING``, this relies on PostgreSQL returning the rows of an
    INSERT in the order they were given (the history INSERT reads the CTE in that order).
    """
    connection = connections[using]
    historical = history_model(model)
    user = _history_user(first, history_user)
    own = {
        "history_date": timezone.now(),
        "history_type": history_type,
        "history_user": getattr(user, "pk", user),
        "history_change_reason": change_reason,
        "history_api_key": current_api_key_name(),
    }
    params: list[Any] = list(write_params)
    params += [historical._meta.get_field(name).get_db_prep_save(own[name], connection) for name in HISTORY_COLUMNS]
    # one row (see _one_statement): the extra fields take their defaults
    params += [field.get_db_prep_save(field.get_default(), connection) for field in _history_extra_fields(model)]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH changed AS ({write_sql}) {_history_insert(model, using)}", params)
        return [row[0] for row in cursor.fetchall()]

"""The SQL of a query built from the same inputs, compiled once and reused (``PERF_SQL_MEMO``).

Building and compiling a queryset costs the ORM far more than running it when the query is small and
indexed: a page of ``GET /api/submissions`` (visibility, filters, the page's ids, its form, version and first
matter) took ~8 ms of Python to build and compile against 0.5 ms in PostgreSQL. The list asks the same query
again and again (every poll of a queue, every client paging with the same filters), so the SQL text and its
parameters are kept per key, in a bounded LRU per process, and run through ``Manager.raw``: the rows are read
fresh every time, only the ORM's building and compiling are skipped.

The key must name every input the SQL is built from (the caller's makes it; a query that also reads the database
to build itself, such as a search, must not be memoised). Private API: ``Query.sql_with_params()``. Off, the
queryset is built and evaluated as usual.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)

MEMO_SIZE = 1024  # compiled queries kept per process (a few KB each)
_memo: OrderedDict[Hashable, tuple[str, tuple[Any, ...]]] = OrderedDict()
_lock = threading.Lock()


def rows(model: type[M], key: Hashable | None, build: Callable[[], models.QuerySet[M]]) -> Iterable[M]:
    """The rows of ``build()``; with the switch on and a ``key``, from the SQL compiled for that key before."""
    if key is None or not settings.PERF_SQL_MEMO:
        return build()
    sql, params = _compiled((router.db_for_read(model), key), build)
    return model._default_manager.raw(sql, params)


def first_values(
    model: type[models.Model], key: Hashable | None, build: Callable[[], models.QuerySet[Any]], fields: Sequence[Any]
) -> tuple[Any, ...] | None:
    """The first row of ``build()``, a ``values_list`` of ``fields`` (model fields, in its order; an expression after
    them comes back as the database gives it), converted as the ORM converts them; with the switch on and a
    ``key``, from the SQL compiled for that key before. Private API besides ``sql_with_params()``: the backend's
    and the fields' converters (``ops.get_db_converters``, ``Field.get_db_converters``), applied as the compiler
    applies them."""
    if key is None or not settings.PERF_SQL_MEMO:
        return next(iter(build()), None)
    using = router.db_for_read(model)
    sql, params = _compiled((using, key), build)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    converted = [_converted(field, value, connection) for field, value in zip(fields, row, strict=False)]
    return (*converted, *row[len(fields) :])


def _converted(field: Any, value: Any, connection: Any) -> Any:
    col = field.cached_col
    for converter in (*connection.ops.get_db_converters(col), *field.get_db_converters(connection)):
        value = converter(value, col, connection)
    return value


def _compiled(key: Hashable, build: Callable[[], models.QuerySet[Any]]) -> tuple[str, tuple[Any, ...]]:
    with _lock:
        compiled = _memo.get(key)
        if compiled is not None:
            _memo.move_to_end(key)
            return compiled
    sql, params = build().query.sql_with_params()
    compiled = (sql, tuple(params))
    with _lock:
        _memo[key] = compiled
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return compiled


def clear() -> None:
    with _lock:
        _memo.clear()

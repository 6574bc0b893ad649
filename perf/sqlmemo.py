"""The SQL of a query built from the same inputs, compiled once and reused (``PERF_SQL_MEMO``).

Building and compiling a queryset costs the ORM far more than running it when the query is small and
indexed: a page of ``GET /api/submissions`` (visibility, filters, the page's ids, its form, version and first
matter) took ~8 ms of Python to build and compile against 0.5 ms in PostgreSQL. The list asks the same query
again and again (every poll of a queue, every client paging with the same filters), so the SQL text and its
parameters are kept per key, in a bounded LRU per process, and run on a cursor: the rows are read fresh every
time, only the ORM's building and compiling are skipped.

The key must name every input the SQL is built from (the caller's makes it; a query that also reads the database
to build itself, such as a search, must not be memoised). Private API: ``Query.sql_with_params()``. Off, the
queryset is built and evaluated as usual.

``values`` does the same for a ``values_list`` query and hands back plain tuples: no model instance per row.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.conf import settings
from django.db import connections, models, router

MEMO_SIZE = 1024  # compiled queries kept per process (a few KB each)
_memo: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()


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


def values(model: type[models.Model], key: Hashable | None, build: Callable[[], models.QuerySet[Any]]) -> list[Any]:
    """The rows of ``build()``, a ``values_list`` query, as tuples; with the switch on and a ``key``, from the SQL
    compiled for that key before, each column converted as the compiler converts it (private API besides
    ``as_sql()``: the compiler's ``select`` and ``get_converters``, applied as ``results_iter`` applies them)."""
    if key is None or not settings.PERF_SQL_MEMO:
        return list(build())
    using = router.db_for_read(model)
    sql, params, columns = _compiled_values((using, "values", key), build, using)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = [
        (pos, functions, column)
        for pos, column in enumerate(columns)
        if (functions := [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)])
    ]
    if not converters:
        return [tuple(row) for row in rows]
    converted = []
    for row in rows:
        cells = list(row)
        for pos, functions, column in converters:
            value = cells[pos]
            for function in functions:
                value = function(value, column, connection)
            cells[pos] = value
        converted.append(tuple(cells))
    return converted


def _compiled_values(
    key: Hashable, build: Callable[[], models.QuerySet[Any]], using: str
) -> tuple[str, tuple[Any, ...], tuple[Any, ...]]:
    """The SQL and parameters of ``build()``'s query and the expressions of its columns (their converters are
    looked up per call, with the connection of the calling thread)."""

    def compile_values() -> tuple[str, tuple[Any, ...], tuple[Any, ...]]:
        compiler = build().query.get_compiler(using)
        sql, params = compiler.as_sql()
        return sql, tuple(params), tuple(selected[0] for selected in compiler.select[: compiler.col_count])

    return _memoised(key, compile_values)


def _converted(field: Any, value: Any, connection: Any) -> Any:
    col = field.cached_col
    for converter in (*connection.ops.get_db_converters(col), *field.get_db_converters(connection)):
        value = converter(value, col, connection)
    return value


def _compiled(key: Hashable, build: Callable[[], models.QuerySet[Any]]) -> tuple[str, tuple[Any, ...]]:
    def compile_sql() -> tuple[str, tuple[Any, ...]]:
        sql, params = build().query.sql_with_params()
        return sql, tuple(params)

    return _memoised(key, compile_sql)


def _memoised(key: Hashable, compile_query: Callable[[], Any]) -> Any:
    with _lock:
        compiled = _memo.get(key)
        if compiled is not None:
            _memo.move_to_end(key)
            return compiled
    compiled = compile_query()
    with _lock:
        _memo[key] = compiled
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return compiled


def clear() -> None:
    with _lock:
        _memo.clear()

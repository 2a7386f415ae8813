"""One-row reads sent to the database driver directly, for the two requests
a lesson sends most: a student's poll and a student's answer.

Measured in process on PostgreSQL, SQLAlchemy's execution of a Core SELECT
already compiled and cached (the ``Connection`` around the pooled
connection, the execution context, the result) costs about 60 µs of CPU on
top of the driver's own 25 µs; at saturation the poll spent half of its
time under the interpreter lock there. A :class:`DirectRead` keeps the
statement written as a Core ``select()`` (so it is checked against the
models like any other), compiles it once per dialect, and sends it through
the DBAPI cursor of a connection from the same pool (its checkout events,
such as the ping after an idle second, still run). Each column comes back
through its type's result processing for that dialect, as SQLAlchemy would
return it (SQLite's stored times as datetimes, JSON decoded). A failure is
the driver's own exception (a DBAPI ``Error``, not SQLAlchemy's wrapper of
it); a connection the server ended is invalidated, as SQLAlchemy does.
"""

from __future__ import annotations

import weakref
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.engine import Dialect


@dataclass(frozen=True)
class _Plan:
    sql: str
    #: The parameters' names in the order the driver takes them (None: by name).
    order: tuple[str, ...] | None
    #: Every parameter's value as written in the statement (None for those given per read).
    defaults: dict[str, Any]
    binds: dict[str, Callable[[Any], Any]]
    results: tuple[Callable[[Any], Any] | None, ...]
    row: type


class DirectRead:
    """A SELECT of one row, sent to the driver directly (see the module's docstring)."""

    def __init__(self, statement: Select):
        self.statement = statement
        # Dialects belong to engines (a test suite makes many): kept while they live.
        self._plans: weakref.WeakKeyDictionary[Dialect, _Plan] = weakref.WeakKeyDictionary()

    def first(self, engine: Engine, **params) -> tuple | None:
        """The first row for ``params`` (a named tuple), or None."""
        plan = self._plans.get(engine.dialect) or self._plan(engine.dialect)
        params = {**plan.defaults, **params}
        for name, process in plan.binds.items():
            params[name] = process(params[name])
        values = params if plan.order is None else tuple(params[name] for name in plan.order)
        connection = engine.raw_connection()
        cursor = None
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(plan.sql, values)
                row = cursor.fetchone()
            finally:
                cursor.close()
        except engine.dialect.loaded_dbapi.Error as error:
            # As SQLAlchemy's own execution does: a connection the server
            # ended is not handed out again (the next checkout makes a new one).
            if engine.dialect.is_disconnect(error, connection.dbapi_connection, cursor):
                connection.invalidate(error)
            raise
        finally:
            connection.close()  # back to the pool, reset as SQLAlchemy resets it
        if row is None:
            return None
        return plan.row(
            *(
                value if process is None else process(value)
                for process, value in zip(plan.results, row, strict=True)
            )
        )

    def _plan(self, dialect: Dialect) -> _Plan:
        compiled = self.statement.compile(dialect=dialect)
        binds = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binds[name] = process
        columns = self.statement.selected_columns
        plan = _Plan(
            sql=compiled.string,
            order=tuple(compiled.positiontup) if compiled.positional else None,
            defaults=dict(compiled.params),
            binds=binds,
            results=tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in columns
            ),
            row=namedtuple("Row", columns.keys()),
        )
        self._plans[dialect] = plan
        return plan

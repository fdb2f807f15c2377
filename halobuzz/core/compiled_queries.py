"""ORM queries rendered to SQL once per process, for the hottest reads.

Rendering a queryset with a few joins and `Exists` costs this machine's Python a
millisecond or more, several times what PostgreSQL takes to answer it; a gift reads
two such queries (bench/gifts.py, docs/benchmarks.md). A `CompiledQuery` builds its
queryset once with placeholder values for its arguments, keeps the SQL, and from then
on only swaps the arguments into the parameters. The queryset stays the one place the
rule is written (the same selectors the rest of the code uses), so the rule cannot
drift from a hand-written copy.

`fetch_first_for_each` runs the same SQL for many sets of arguments in one query (a
LATERAL join over the argument lists), for batches (economy.services.gift_batches).

The arguments must be integers (ids) and must reach the SQL unchanged as parameters,
which holds for filters on keys. Anything that must be read at run time, such as the
current time, belongs in the SQL (`Now()`), not in a Python value computed while
building. Building fails loudly when an argument does not appear among the
parameters, so a queryset that breaks the rule is caught by the first test that
runs it.
"""

import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

# Far outside any id a table holds, and distinct per argument.
_PLACEHOLDER_BASE = -7_340_019_201_000


class CompiledQuery:
    """`build(**ids)` returns a `.values(...)` queryset; `fetch_all(**ids)` runs the
    SQL it renders to with these ids and returns its rows as dicts, `fetch_one` the
    first row (or None)."""

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._compiled: dict[tuple, tuple] = {}
        self._lock = threading.Lock()

    def fetch_one(self, *, using: str = "default", **ids: int) -> dict | None:
        rows = self._run(using, ids, first_only=True)
        return rows[0] if rows else None

    def fetch_all(self, *, using: str = "default", **ids: int) -> list[dict]:
        return self._run(using, ids, first_only=False)

    def fetch_first_for_each(
        self, *, using: str = "default", arguments: list[dict[str, int]]
    ) -> list[dict | None]:
        """fetch_one for each set of ids in `arguments` (all with the same names), in
        one query; the rows come back in the order of `arguments`."""
        if not arguments:
            return []
        names = tuple(sorted(arguments[0]))
        sql, template, columns = self._compiled_for(using, names, first_only=True)
        pieces = sql.split("%s")
        if "%%" in sql or len(pieces) != len(template) + 1:
            raise ValueError("the SQL has placeholders fetch_first_for_each cannot place")
        # The ids become columns of the argument rows; other parameters stay parameters.
        inner, params = [pieces[0]], []
        for slot, piece in zip(template, pieces[1:], strict=True):
            if isinstance(slot, str):
                inner.append(f"argument.{slot}")
            else:
                inner.append("%s")
                params.append(slot.value)
            inner.append(piece)
        lists = ", ".join(["%s::bigint[]"] * len(names))
        # The ORM's SQL and the argument names; every value is a parameter.
        batch_sql = (
            f"SELECT argument.ordinal, found.* FROM unnest({lists}) WITH ORDINALITY"  # noqa: S608
            f" AS argument ({', '.join(names)}, ordinal)"
            f" CROSS JOIN LATERAL ({''.join(inner)}) AS found"
        )
        lists_params = [[ids[name] for ids in arguments] for name in names]
        with connections[using].cursor() as cursor:
            cursor.execute(batch_sql, [*lists_params, *params])
            rows = cursor.fetchall()
        found: list[dict | None] = [None] * len(arguments)
        for ordinal, *values in rows:
            found[ordinal - 1] = dict(zip(columns, values, strict=True))
        return found

    def _run(self, using: str, ids: dict[str, int], *, first_only: bool) -> list[dict]:
        sql, template, columns = self._compiled_for(using, tuple(sorted(ids)), first_only)
        params = [ids[slot] if isinstance(slot, str) else slot.value for slot in template]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def _compiled_for(self, using: str, names: tuple[str, ...], first_only: bool) -> tuple:
        key = (using, names, first_only)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(*key)
            with self._lock:
                self._compiled[key] = compiled
        return compiled

    def _compile(self, using: str, names: tuple[str, ...], first_only: bool) -> tuple:
        placeholders = {name: _PLACEHOLDER_BASE - number for number, name in enumerate(names)}
        by_value = {value: name for name, value in placeholders.items()}
        queryset = self._build(**placeholders).using(using)
        if first_only:
            queryset = queryset[:1]
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        # The names `.values()` gives the columns, in the order the SQL has them.
        columns = [alias or expression.target.attname for expression, _, alias in compiler.select]
        template = [
            by_value[param] if _is_id(param) and param in by_value else _Constant(param)
            for param in params
        ]
        missing = set(names) - {slot for slot in template if isinstance(slot, str)}
        if missing:
            raise ValueError(f"arguments {sorted(missing)} did not reach the SQL as parameters")
        return sql, template, columns


def _is_id(param) -> bool:
    return isinstance(param, int) and not isinstance(param, bool)


class _Constant:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

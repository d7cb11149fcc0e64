"""The baseline of the list endpoint: the very SQL it runs, executed directly, plus JSON encoding.

The statements are captured from one in-process request through the real view (same filters,
same pagination, same user), so the baseline cannot drift from the endpoint as the code changes.
"""

import json
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Any

    @property
    def is_page_query(self) -> bool:
        """The SELECT that reads the page of cases (not the user lookup, not the access log)."""
        head = self.sql.lstrip().upper()
        return head.startswith("SELECT") and 'FROM "CASEWORK_CASE"' in head

    @property
    def kind(self) -> str:
        """Verb and table: `SELECT casework_case FOR UPDATE`, `INSERT workflows_historyentry`."""
        verb = self.sql.split(None, 1)[0].upper() if self.sql.strip() else "?"
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', self.sql, re.IGNORECASE)
        kind = f"{verb} {table.group(1)}" if table else verb
        return kind + (" FOR UPDATE" if re.search(r"\bFOR UPDATE\b", self.sql) else "")


def capture(
    path: str, token: str, *, method: str = "GET", body: Any = None
) -> tuple[int, list[Statement]]:
    """Run `method` `path` in-process as the token's user; return its status and every statement.

    A JSON `body` is sent for writes. Savepoints show up (Django runs them as statements); the
    transaction's BEGIN and COMMIT do not (the driver issues them).
    """
    from django.db import connection
    from django.test import Client

    statements: list[Statement] = []

    def wrapper(execute, sql, params, many, context):
        statements.append(Statement(sql, params))
        return execute(sql, params, many, context)

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT="application/json")
    send = getattr(client, method.lower())
    with connection.execute_wrapper(wrapper):
        if body is None:
            response = send(path)
        else:
            response = send(path, data=json.dumps(body), content_type="application/json")
    return response.status_code, statements


def _unique_names(description: Sequence[Any]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for column in description:
        n = seen.get(column.name, 0)
        seen[column.name] = n + 1
        names.append(column.name if n == 0 else f"{column.name}_{n}")
    return names


class StatementProbe:
    """Executes the statements (autocommit, like Django) and JSON-encodes the rows, per call.

    Client-side parameter binding, as Django's PostgreSQL backend does by default. The rows of
    each SELECT become objects keyed by column name, then one `json.dumps` for the page.
    """

    def __init__(self, conninfo: str, statements: list[Statement]) -> None:
        self.conn = psycopg.connect(conninfo, autocommit=True, cursor_factory=psycopg.ClientCursor)
        self.statements = statements

    def __call__(self) -> str | None:
        results: list[dict[str, Any]] = []
        try:
            with self.conn.cursor() as cur:
                for statement in self.statements:
                    cur.execute(statement.sql, statement.params)
                    if cur.description is not None:
                        names = _unique_names(cur.description)
                        results.extend(dict(zip(names, row, strict=True)) for row in cur.fetchall())
        except psycopg.Error as exc:
            return repr(exc)
        json.dumps({"next": None, "previous": None, "results": results}, default=str)
        return None

    def close(self) -> None:
        self.conn.close()


def explain(conninfo: str, statement: Statement) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one captured statement, for finding the slow part."""
    with psycopg.connect(conninfo, cursor_factory=psycopg.ClientCursor) as conn:
        rows = conn.execute(
            f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}", statement.params
        ).fetchall()
        conn.rollback()
    return "\n".join(row[0] for row in rows)


def plan_and_execution_ms(
    conninfo: str, statement: Statement, times: int = 5
) -> tuple[float, float]:
    """PostgreSQL's own planning and execution time of a statement (medians of `times` runs).

    Tells how much of the baseline is the database planning the joins versus running them.
    """
    plans, runs = [], []
    with psycopg.connect(conninfo, cursor_factory=psycopg.ClientCursor) as conn:
        for attempt in range(times + 1):
            ((result,),) = conn.execute(
                f"EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) {statement.sql}", statement.params
            ).fetchall()  # one row
            if attempt:  # the first one also fills this new connection's catalog caches
                plans.append(result[0]["Planning Time"])
                runs.append(result[0]["Execution Time"])
        conn.rollback()
    return statistics.median(plans), statistics.median(runs)

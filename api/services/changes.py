"""Whether the data changed, and figures kept while it did not.

Triggers on every table that holds data (migration ``data_changes``: all but ``tokens``,
``web_sessions`` and ``audit_events``) note each write in ``data_changes``, in the writing
transaction itself, whoever writes (any of the service's processes, the CLI, ``psql``); a
running job's heartbeat (an update of ``jobs.heartbeat_at`` alone) is not noted (migration
``job_heartbeats``).
:func:`fingerprint` reads that note in one cheap query:

- PostgreSQL: the number of committed writing transactions (the sum of ``weight``: a row per
  transaction, or one row for many once :func:`compact` folded them, so it grows with every
  commit, whichever commits first) and the highest transaction id among the rows, with the
  schema, and the same per table (``data_change_tables``, migration ``data_change_tables``: a
  row per writing transaction and table); in a transaction that has written itself, nothing
  (its own note would count);
- SQLite: the counter of rows written and the token drawn at the last write (not per table).

:class:`Cache` keeps computed figures in the process under the fingerprint read at the start of
the request, next to the figures' own key: the first request after any write computes them
afresh, the following ones reuse them until the next write.  A figure whose caller names the
tables it reads is kept across writes to other tables (:meth:`Fingerprint.of`; on PostgreSQL):
that list must name every table its computation reads, or a write to one not named would go
unseen.  A reader reads the fingerprint
before the data, so what it keeps under a fingerprint is never older than that fingerprint.
Several worker processes each keep their own copy; each checks the database's fingerprint on
every request, so none serves figures from before a write another process made.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

T = TypeVar("T")

UNWATCHED = ("tokens", "web_sessions", "audit_events", "data_changes", "data_change_tables")
"""The tables whose writes are not data (sign-ins, sessions, the audit trail) and the notes themselves."""


class Fingerprint(NamedTuple):
    """Which database, its state of data, and (PostgreSQL) the state of each table written so far."""

    database: Hashable
    state: Hashable
    tables: tuple[tuple[str, int, int], ...] | None = None
    """PostgreSQL: per table written to (by name, sorted) the writes committed to it and the
    highest transaction id among them (``data_change_tables``); ``None`` on SQLite."""

    def of(self, tables: Collection[str] | None) -> Hashable:
        """The state of just ``tables`` (``None``: of all of them): it changes with every commit
        that wrote one of them, and only then.  Where writes are not noted per table (SQLite),
        the state of all of them."""
        if tables is None or self.tables is None:
            return self.state
        by_name = {name: (writes, tx) for name, writes, tx in self.tables}
        return tuple(by_name.get(name) for name in sorted(tables))


def fingerprint(session: Session) -> Fingerprint | None:
    """The state of the data as of now; ``None`` if it cannot be told (then nothing is kept)."""
    bind = session.get_bind()
    url = str(bind.engine.url)
    if bind.dialect.name == "postgresql":
        schema, rows, writes, tx, own, tables = session.execute(text(
            "SELECT current_schema(), count(*), coalesce(sum(weight), 0), max(tx), txid_current_if_assigned(), "
            "(SELECT coalesce(json_agg(json_build_array(table_name, n, w, t) ORDER BY table_name), '[]') FROM "
            " (SELECT table_name, count(*) AS n, sum(weight) AS w, max(tx) AS t FROM data_change_tables "
            "  GROUP BY table_name) AS per_table) "
            "FROM data_changes")).one()
        # A transaction that has written sees its own note before anyone else can: what it reads
        # then is not the data of any state others see (and may be rolled back), so none is kept.
        if own is not None:
            return None
        # data_change_tables: past COMPACT_AT rows more than one per table (what a fold leaves)
        notes, per_table = rows > COMPACT_AT, sum(n for _, n, _, _ in tables) > COMPACT_AT + len(tables)
        if notes or per_table:
            compact(bind.engine, notes, per_table)
        return Fingerprint((url, schema), (int(writes), tx),
                           tuple((name, int(w), int(t)) for name, _, w, t in tables))
    if bind.dialect.name == "sqlite":
        row = session.execute(text("SELECT tx, token FROM data_changes WHERE id = 1")).first()
        return None if row is None else Fingerprint((url,), (int(row[0]), row[1]))
    return None


COMPACT_AT = 10_000
"""PostgreSQL: past this many rows in ``data_changes`` (or ``data_change_tables``) the next
:func:`fingerprint` folds them."""


def compact(engine: Engine, notes: bool = True, per_table: bool = True) -> None:
    """Fold the committed rows of ``data_changes`` but the newest into one whose ``weight`` is
    theirs summed (PostgreSQL), and those of ``data_change_tables`` likewise into one per table,
    in a transaction of its own: the sums, which the fingerprint counts, stay as they were; the
    highest transaction ids may change (what is kept is then computed once more).  Two at once
    fold each row once: a row deleted by one is not seen by the other."""
    with engine.begin() as connection:
        if notes:
            connection.execute(text(
                "WITH gone AS (DELETE FROM data_changes WHERE id < (SELECT max(id) FROM data_changes) RETURNING weight) "
                "INSERT INTO data_changes (tx, weight) SELECT txid_current(), sum(weight) FROM gone HAVING count(*) > 0"))
        if per_table:
            connection.execute(text(
                "WITH gone AS (DELETE FROM data_change_tables WHERE id < (SELECT max(id) FROM data_change_tables) "
                "RETURNING table_name, weight) "
                "INSERT INTO data_change_tables (tx, table_name, weight) "
                "SELECT txid_current(), table_name, sum(weight) FROM gone GROUP BY table_name"))


class Cache:
    """Values kept per key, each with the :func:`fingerprint` state it was computed in (of the
    tables it was computed from, when the caller names them): at most ``size`` keys (least
    recently used go first); a value of another state is replaced when its key is next asked for."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Hashable, Hashable], tuple[Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, fp: Fingerprint | None, key: Hashable, make: Callable[[], T],
            tables: Collection[str] | None = None) -> T:
        """The value kept for ``key`` in the state ``fp`` (of ``tables``, the tables ``make``
        reads: ``None`` for all), or ``make()`` (then kept)."""
        if fp is None:
            return make()
        state = fp.of(tables)
        full = (fp.database, key)
        with self._lock:
            item = self._items.get(full)
            if item is not None and item[0] == state:
                self._items.move_to_end(full)
                self.hits += 1
                return item[1]  # type: ignore[no-any-return,unused-ignore]
            self.misses += 1
        value = make()
        with self._lock:
            self._items[full] = (state, value)
            self._items.move_to_end(full)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_PAUSED = [0, False]
"""How many :func:`uncollected` blocks are running, and whether the collector ran before the first."""
_PAUSE_LOCK = threading.Lock()


@contextmanager
def uncollected() -> Iterator[None]:
    """No pass of the garbage collector while the block runs (in any thread; the collector runs
    again once the last such block ends, if it ran before the first).  For computing afresh what is
    kept (a crowd of 14,000 households, a world): the many rows read and dropped while it is made
    would otherwise outlive a pass or two, be counted as long-lived and so set off a full pass
    (tens of milliseconds over everything kept) every request or two.  Nothing is lost: what is
    garbage then is freed when its last reference goes, a cycle at the collector's next pass."""
    with _PAUSE_LOCK:
        if _PAUSED[0] == 0:
            _PAUSED[1] = gc.isenabled()
            gc.disable()
        _PAUSED[0] += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _PAUSED[0] -= 1
            if _PAUSED[0] == 0 and _PAUSED[1]:
                gc.enable()

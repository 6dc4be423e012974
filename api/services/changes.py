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
  schema; in a transaction that has written itself, nothing (its own note would count);
- SQLite: the counter of rows written and the token drawn at the last write.

:class:`Cache` keeps computed figures in the process under the fingerprint read at the start of
the request, next to the figures' own key: the first request after any write computes them
afresh, the following ones reuse them until the next write.  A reader reads the fingerprint
before the data, so what it keeps under a fingerprint is never older than that fingerprint.
Several worker processes each keep their own copy; each checks the database's fingerprint on
every request, so none serves figures from before a write another process made.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

T = TypeVar("T")

UNWATCHED = ("tokens", "web_sessions", "audit_events", "data_changes")
"""The tables whose writes are not data (sign-ins, sessions, the audit trail) and the note itself."""

Fingerprint = tuple[Hashable, Hashable]
"""Which database, and its state of data."""


def fingerprint(session: Session) -> Fingerprint | None:
    """The state of the data as of now; ``None`` if it cannot be told (then nothing is kept)."""
    bind = session.get_bind()
    url = str(bind.engine.url)
    if bind.dialect.name == "postgresql":
        schema, rows, writes, tx, own = session.execute(text(
            "SELECT current_schema(), count(*), coalesce(sum(weight), 0), max(tx), txid_current_if_assigned() "
            "FROM data_changes")).one()
        # A transaction that has written sees its own note before anyone else can: what it reads
        # then is not the data of any state others see (and may be rolled back), so none is kept.
        if own is not None:
            return None
        if rows > COMPACT_AT:
            compact(bind.engine)
        return (url, schema), (int(writes), tx)
    if bind.dialect.name == "sqlite":
        row = session.execute(text("SELECT tx, token FROM data_changes WHERE id = 1")).first()
        return None if row is None else ((url,), (int(row[0]), row[1]))
    return None


COMPACT_AT = 10_000
"""PostgreSQL: past this many rows in ``data_changes`` the next :func:`fingerprint` folds them."""


def compact(engine: Engine) -> None:
    """Fold the committed rows of ``data_changes`` but the newest into one whose ``weight`` is
    theirs summed (PostgreSQL), in a transaction of its own: the sum, which the fingerprint
    counts, stays as it was; the highest transaction id may change (what is kept is then computed
    once more).  Two at once fold each row once: a row deleted by one is not seen by the other."""
    with engine.begin() as connection:
        connection.execute(text(
            "WITH gone AS (DELETE FROM data_changes WHERE id < (SELECT max(id) FROM data_changes) RETURNING weight) "
            "INSERT INTO data_changes (tx, weight) SELECT txid_current(), sum(weight) FROM gone HAVING count(*) > 0"))


class Cache:
    """Values kept per :func:`fingerprint` and key, at most ``size`` of them (least recently used
    go first; those of an older state of the same database go as soon as a newer one is seen)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Hashable, Hashable, Hashable], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, fp: Fingerprint | None, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept for ``key`` in the state ``fp``, or ``make()`` (then kept)."""
        if fp is None:
            return make()
        database, state = fp
        full = (database, state, key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                return self._items[full]  # type: ignore[no-any-return,unused-ignore]
            self.misses += 1
        value = make()
        with self._lock:
            for old in [k for k in self._items if k[0] == database and k[1] != state]:
                del self._items[old]
            self._items[full] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

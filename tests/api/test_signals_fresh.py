"""Signals are kept between requests while the data does not change (:mod:`api.services.changes`):
after every kind of write the feed must be what a fresh computation gives, and the writes below
that change a signal must show in the very next request.  A write made outside the service (raw
SQL on another connection, as another worker process or ``psql`` would) is seen too.  Each test
runs on SQLite and on PostgreSQL (the ``client`` fixture); the world is :mod:`test_signals`'s."""

from __future__ import annotations

import datetime as dt
import io

from api_testing import API, decide, home, household, lines, offer, ok, propose, upsert
from sqlalchemy import text
from test_signals import AS_OF, feed, ids, world  # noqa: F401 - world is a fixture

from api.services import signals
from api.services.changes import fingerprint


def fresh(client, headers, **params):
    """The feed computed afresh (nothing kept)."""
    signals.forget()
    return feed(client, headers, **params)


def kept(client, headers, **params):
    """The feed twice: the second answer comes from what was kept (and equals the first)."""
    first = feed(client, headers, **params)
    hits = signals.SIGNALS.hits
    assert feed(client, headers, **params) == first
    assert signals.SIGNALS.hits > hits, "the second request was not served from the kept signals"
    return first


def csv_file(name: str, content: str):
    return {"file": (name, io.BytesIO(content.encode()), "text/csv")}


def test_every_write_is_seen_by_the_next_request(client, world, run_jobs, service):  # noqa: F811
    coa = world.coa

    def raw_sql():
        """Another connection, not through the service: as another process would write."""
        from api.db import make_engine

        other = make_engine(service.settings)
        try:
            with other.begin() as connection:
                connection.execute(text("UPDATE homes SET capacity = 5 WHERE reference = 'E-BIG'"))
        finally:
            other.dispose()

    def move_in():
        job = propose(client, world, run_jobs, as_of=AS_OF)
        assert job["status"] == "done", job
        for line in lines(client, world, job["id"]):
            if line["action"] in ("couple", "house"):
                ok(decide(client, world, job["id"], line["id"]))
        for m in ok(client.get(f"{API}/move-ins", headers=world.enschede))["items"]:
            ok(client.post(f"{API}/move-ins/{m['id']}/confirm", headers=world.enschede, json={"date": dt.date.today().isoformat()}))

    changes = [  # (what, the write, whether it changes the signals here)
        ("household upload", lambda: upsert(client, world, household("n4", 4, permit_date="2023-01-02")), True),
        ("home offered", lambda: offer(client, world.enschede, home("E-6", capacity=6)), True),
        ("home patched", lambda: ok(client.patch(f"{API}/homes/1", headers=world.enschede, json={"capacity": 4})), True),
        ("raw SQL on another connection", raw_sql, True),
        ("travel times", lambda: ok(client.post(f"{API}/travel-times/upload", headers=coa, files=csv_file(
            "t.csv", "location_id,municipality,minutes\nazc-enschede,GM0158,20\n"))), False),
        ("family arrival", lambda: ok(client.post(f"{API}/households/fc/arrivals", headers=coa,
                                                  json={"persons": 1, "date": AS_OF}), 201), True),
        ("redistribution", lambda: ok(client.post(f"{API}/redistributions", headers=coa, json=feed(
            client, coa, kind="idle_homes")["items"][0]["suggestion"]), 201), True),
        ("quota patched", lambda: ok(client.patch(f"{API}/municipalities/GM0164/quota", headers=coa,
                                                  json={"taakstelling": 0, "amv_taakstelling": 0})), True),
        ("proposal accepted, move-ins confirmed", move_in, True),
    ]
    for what, write, changes_signals in changes:
        before = kept(client, coa)
        write()
        after = feed(client, coa)
        assert after == fresh(client, coa), what
        if changes_signals:
            assert after != before, f"{what}: expected the signals to change"


def test_the_fingerprint_changes_with_every_write_and_only_then(client, world, service):  # noqa: F811
    def now():
        with service.sessions() as session:
            return fingerprint(session)

    first = now()
    assert first is not None
    feed(client, world.coa)  # reading, signing in: no change
    client.get(f"{API}/municipalities", headers=world.enschede)
    assert now() == first
    ok(client.patch(f"{API}/homes/2", headers=world.enschede, json={"capacity": 3}))
    second = now()
    assert second != first
    with service.sessions() as session:  # a write rolled back leaves no trace
        session.execute(text("UPDATE homes SET capacity = 9 WHERE id = 2"))
        session.rollback()
    assert now() == second
    ok(client.patch(f"{API}/homes/2", headers=world.enschede, json={"capacity": 2}))
    assert now() not in (first, second)


def test_what_is_kept_outlives_the_session_that_read_it(client, world, service):  # noqa: F811
    """The world is kept after its session rolled back and closed (which expires and detaches ORM
    objects); the kinds computed later from it, in another session, still read every home."""
    from api.services.errors import Actor

    coa = Actor(token_id=None, label="coa", role="coa")
    signals.forget()
    day = dt.date.fromisoformat(AS_OF)
    with service.sessions() as session:
        signals.feed(session, coa, day, signals.Options(), None, 10, ("large_home",))
        session.rollback()
    with service.sessions() as session:
        items, _ = signals.feed(session, coa, day, signals.Options(), None, 50)
    assert [s.homes[0]["reference"] for s in items if s.kind == "idle_homes"] == ["K-2"]
    signals.forget()
    with service.sessions() as session:
        assert items == signals.feed(session, coa, day, signals.Options(), None, 50)[0]


def test_the_overview_counts_waiting_afresh_after_a_write(client, world, service):  # noqa: F811
    """The planner overview's waiting households per province are kept too: an upload shows."""
    from api.services import overview

    day = dt.date.fromisoformat(AS_OF)

    def waiting():
        with service.sessions() as session:
            return overview.waiting_by_province(session, day)

    before = waiting()
    hits = overview.WAITING.hits
    assert waiting() == before and overview.WAITING.hits == hits + 1
    upsert(client, world, household("n9", 2, permit_date="2023-02-02"))
    after = waiting()
    assert after[0].households == before[0].households + 1
    overview.WAITING.clear()
    assert after == waiting()


def test_a_job_heartbeat_is_not_a_change_but_its_end_is(client, world, run_jobs, service):  # noqa: F811
    """A running job's heartbeat (``heartbeat_at`` alone, every few seconds) leaves what is kept
    alone; any other write to ``jobs`` does not."""
    job = propose(client, world, run_jobs, as_of=AS_OF)

    def now():
        with service.sessions() as session:
            return fingerprint(session)

    first = now()
    with service.sessions() as session:
        session.execute(text("UPDATE jobs SET heartbeat_at = CURRENT_TIMESTAMP WHERE id = :id"), {"id": job["id"]})
        session.commit()
    assert now() == first
    with service.sessions() as session:
        session.execute(text("UPDATE jobs SET status = status, heartbeat_at = CURRENT_TIMESTAMP WHERE id = :id"),
                        {"id": job["id"]})
        session.commit()
    assert now() != first


def test_nothing_is_kept_from_inside_a_writing_transaction(client, world, service):  # noqa: F811
    """What a transaction reads after writing (and before committing) is nobody else's state: on
    PostgreSQL no fingerprint is given then (SQLite: the token drawn then is never seen again)."""
    with service.sessions() as session:
        before = fingerprint(session)
        session.execute(text("UPDATE homes SET capacity = capacity WHERE id = 1"))
        inside = fingerprint(session)
        session.rollback()
        after = fingerprint(session)
    assert before == after is not None
    if service.settings.database_url.startswith("sqlite"):
        assert inside not in (None, before)
    else:
        assert inside is None


def test_the_notes_are_folded_and_still_count_every_write(client, world, service, monkeypatch):  # noqa: F811
    """PostgreSQL: past ``COMPACT_AT`` rows the notes are folded into one (the table stays small),
    and the count of writes the fingerprint gives still grows by one with every commit."""
    from api.services import changes

    if not service.settings.database_url.startswith("postgres"):
        return
    monkeypatch.setattr(changes, "COMPACT_AT", 3)

    def now():
        with service.sessions() as session:
            return fingerprint(session)

    counts = []
    for capacity in (3, 2, 3, 2, 3, 2, 3):
        ok(client.patch(f"{API}/homes/2", headers=world.enschede, json={"capacity": capacity}))
        counts.append(now()[1][0])
        assert kept(client, world.coa) == fresh(client, world.coa)
    assert counts == list(range(counts[0], counts[0] + len(counts)))
    with service.sessions() as session:
        assert session.execute(text("SELECT count(*) FROM data_changes")).scalar_one() <= 4


def test_a_write_to_a_home_keeps_the_households_but_shows(client, world, service):  # noqa: F811
    """PostgreSQL notes writes per table: after a write to a home (through the service, or raw
    SQL on another connection) the households are not read again (the crowd is kept), and the
    next feed is still what a fresh computation gives; after a write to a household they are."""
    from api.db import make_engine

    coa = world.coa
    kept(client, coa)
    postgres = service.settings.database_url.startswith("postgres")
    for what, sql in (("through the service", None), ("raw SQL", "UPDATE homes SET capacity = 6 WHERE reference = 'E-BIG'")):
        before, misses = feed(client, coa), signals.CROWDS.misses
        if sql is None:
            ok(client.patch(f"{API}/homes/1", headers=world.enschede, json={"capacity": 4}))
        else:
            other = make_engine(service.settings)
            try:
                with other.begin() as connection:
                    connection.execute(text(sql))
            finally:
                other.dispose()
        after = feed(client, coa)
        assert after != before, what
        assert signals.CROWDS.misses == misses + (0 if postgres else 1), what
        assert after == fresh(client, coa), what
    feed(client, coa)
    misses = signals.CROWDS.misses
    upsert(client, world, household("n7", 3, permit_date="2023-01-03"))
    after = feed(client, coa)
    assert signals.CROWDS.misses == misses + 1
    assert after == fresh(client, coa)


def test_the_state_of_some_tables_changes_only_with_a_write_to_them(client, world, service):  # noqa: F811
    def now():
        with service.sessions() as session:
            return fingerprint(session)

    first = now()
    ok(client.patch(f"{API}/homes/2", headers=world.enschede, json={"capacity": 3}))
    second = now()
    assert second.of(None) != first.of(None)
    assert second.of(("homes",)) != first.of(("homes",))
    if service.settings.database_url.startswith("postgres"):
        assert second.of(("households", "quotas")) == first.of(("households", "quotas"))
    else:  # SQLite: not noted per table, every table changes with every write
        assert second.of(("households", "quotas")) != first.of(("households", "quotas"))


def test_the_households_half_of_a_snapshot_reads_no_home_lock_or_ban():
    """The crowd is kept across writes to homes, locks and bans (:data:`api.engine.HOME_TABLES`):
    :func:`api.engine.snapshot_people` and what it calls must not read them."""
    import inspect

    from api import engine
    from api.services import municipalities, recouplings, travel

    for source in (inspect.getsource(engine.snapshot_people), inspect.getsource(municipalities.quota_states),
                   inspect.getsource(municipalities.current_period), inspect.getsource(recouplings.approved_households),
                   inspect.getsource(travel.engine_travel_minutes), inspect.getsource(signals.crowd)):
        for model in ("Home", "Lock", "Ban"):
            assert f"{model}." not in source and f"{model})" not in source and f"{model}," not in source, model
    assert set(engine.people_tables()).isdisjoint(engine.HOME_TABLES)


def test_what_a_new_crowd_takes_over_is_what_a_fresh_one_finds(client, world, service):  # noqa: F811
    """After a write to households or quota the crowd is read afresh and takes over from the one
    before the households each home fits and each municipality's pass where no changed household
    or quota touches them (:func:`api.services.signals._carry`): the feed must be what a
    computation from nothing gives, after each of these writes in turn."""
    from api.db import make_engine

    coa = world.coa
    other = make_engine(service.settings)
    writes = [
        "UPDATE households SET needs_accessible = NOT needs_accessible WHERE household_id = "
        "(SELECT min(household_id) FROM households WHERE state = 'waiting')",
        "UPDATE households SET size = size + 2 WHERE household_id = "
        "(SELECT max(household_id) FROM households WHERE state = 'waiting')",
        "UPDATE households SET location_id = (SELECT max(location_id) FROM locations) WHERE household_id = "
        "(SELECT min(household_id) FROM households WHERE state = 'waiting')",
        "UPDATE quotas SET taakstelling = taakstelling + 5 WHERE municipality_code = 'GM0153'",
        "UPDATE quotas SET taakstelling = 0, amv_taakstelling = 0 WHERE municipality_code = 'GM0153'",
        "UPDATE households SET document_ready = NOT document_ready WHERE household_id = "
        "(SELECT max(household_id) FROM households WHERE state = 'coupled')",
    ]
    try:
        kept(client, coa)
        for n, sql in enumerate(writes):
            with other.begin() as connection:
                connection.execute(text(sql))
            after = feed(client, coa)  # takes over from the crowd before, itself taken over every other time
            if n % 2:
                assert after == fresh(client, coa), sql
    finally:
        other.dispose()


def test_a_snapshot_from_the_one_before_is_a_snapshot_from_nothing(client, world, service):  # noqa: F811
    """PostgreSQL: :func:`api.engine.snapshot_people` with the snapshot before reads again only the
    households whose rows changed (by their digests) and takes the others over: the same
    households, in the same order, with the same states, as reading them all."""
    from api import engine
    from api.models import Job

    job = Job(id=0, as_of=dt.date.fromisoformat(AS_OF), params={}, solver="greedy", time_limit=1.0)
    with service.sessions() as session:
        before = engine.snapshot_people(session, job, before=engine.snapshot_people(session, job))
    postgres = service.settings.database_url.startswith("postgres")
    assert (before.digests is not None) == postgres
    writes = [
        lambda: upsert(client, world, household("n8", 2, permit_date="2023-01-04")),
        "UPDATE households SET needs_accessible = NOT needs_accessible WHERE household_id = "
        "(SELECT min(household_id) FROM households WHERE state = 'waiting')",
        "UPDATE households SET state = 'coupled', municipality_code = 'GM0153', coupling_date = '2023-06-01' "
        "WHERE household_id = (SELECT max(household_id) FROM households WHERE state = 'waiting')",
        "DELETE FROM households WHERE household_id = 'n8'",
    ]
    for write in writes:
        if callable(write):
            write()
        else:
            with service.sessions() as session:
                session.execute(text(write))
                session.commit()
        with service.sessions() as session:
            after = engine.snapshot_people(session, job, before=before)
            whole = engine.snapshot_people(session, job)
        assert after.instance == whole.instance, write
        assert [h.household_id for h in after.instance.households] == [h.household_id for h in whole.instance.households]
        assert (after.household_state, after.sizes, after.rows) == (whole.household_state, whole.sizes, whole.rows)
        before = after

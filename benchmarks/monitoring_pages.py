"""Benchmark of the monitoring pages and routes (issue 16): each must answer within 300 ms on the
national example with 26 weeks of history, on PostgreSQL.

``python -m benchmarks.monitoring_pages --database-url postgresql://postgres@127.0.0.1:5432/test``

What it does:

1. makes a private PostgreSQL schema (``bench_monitoring_<random>``, dropped at the end), migrates
   and seeds it (342 municipalities, period 2023-II); after loading it runs ``ANALYZE`` (what
   PostgreSQL's autovacuum does after a bulk load), so the planner knows the tables' sizes;
2. loads the nl example of :func:`matcher.synth.make_example` (9,264 households waiting, 2,400
   homes) and adds 26 weeks of history from 2023-07-03: each week ``--per-week`` households
   (default 450, about the national taakstelling of 27,300 persons a half-year at 2.3 persons a
   household) get a permit 2-10 weeks before, a coupling 1-4 weeks after it, a municipality drawn
   in proportion to the taakstelling, and a move-in 3-16 weeks after the coupling (those whose
   move-in falls after the last week stay coupled); each week one done proposal job holds an
   accepted line per coupling and per move-in of that week (fixed random seed);
3. signs in a COA planner and a municipality (Enschede) and, in-process through the app
   (Starlette's test client: routing, authentication, queries, rendering; no network), requests
   every monitoring page and JSON route as both, after one warm-up: ``--repeats`` times *cold*,
   each right after a write (:func:`touch`, untimed), so the service computes the figure afresh
   rather than answer what it kept (:mod:`api.services.changes`), then ``--repeats`` times
   *warm*, without a write in between;
4. writes median, p90 and max of both per request to ``benchmarks/results/monitoring_pages.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "monitoring_pages.md"
GOAL_MS = 300.0
FIRST_WEEK = dt.date(2023, 7, 3)
WEEKS = 26

PATHS = ["/ui/monitoring", "/ui/monitoring/lead-times?by=province", "/ui/monitoring/lead-times?by=municipality",
         "/ui/monitoring/realisation", "/ui/monitoring/regional", "/ui/monitoring/regional?by=location",
         "/ui/monitoring/predicted",
         "/api/v1/monitoring/lead-times", "/api/v1/monitoring/realisation", "/api/v1/monitoring/regional",
         "/api/v1/monitoring/predicted", "/api/v1/monitoring/realisation/export.xlsx"]


def build_history(sessions, per_week: int, seed: int) -> dict[str, int]:
    """The nl example plus 26 weeks of couplings, move-ins and accepted lines (see the module)."""
    from sqlalchemy import select

    from api.models import Home, Household, Job, Location, Municipality, ProposalLine, Quota
    from api.services.errors import CLI
    from api.services.households import upsert_households
    from matcher.synth import make_example

    rng = random.Random(seed)
    instance, _ = make_example("nl")
    with sessions() as session:
        rows: list[tuple[tuple[Any, ...], object]] = []
        for i, h in enumerate(instance.households):
            row = dict(household_id=h.household_id, size=h.size, location_id=h.location_id,
                       permit_date=h.permit_date.isoformat(), amv=h.amv, document_ready=h.document_ready)
            if h.coupled_to and h.coupling_date:
                row.update(state="coupled", municipality=h.coupled_to, coupling_date=h.coupling_date.isoformat())
            rows.append((("seed", i), row))
        upsert_households(session, CLI, rows)
        session.add_all([Home(municipality_code=d.municipality, reference=d.dwelling_id, kind=d.kind.value,
                              capacity=d.capacity, min_occupancy=d.min_occupancy, accessible=d.accessible,
                              available_from=d.available_from) for d in instance.dwellings])
        session.commit()
        period_id = session.scalar(select(Quota.period_id).limit(1))
        quotas = [(q.municipality_code, q.taakstelling) for q in session.scalars(select(Quota)) if q.taakstelling > 0]
        locations = list(session.scalars(select(Location.location_id)))
        codes = [c for c, _ in quotas]
        weights = [w for _, w in quotas]
        known = set(session.scalars(select(Municipality.code)))
        assert set(codes) <= known
        last = FIRST_WEEK + dt.timedelta(weeks=WEEKS) - dt.timedelta(days=1)
        lines: dict[dt.date, list[tuple[str, str, str, int, dt.date]]] = {}
        households = []
        for week in range(WEEKS):
            monday = FIRST_WEEK + dt.timedelta(weeks=week)
            for n in range(per_week):
                coupled = monday + dt.timedelta(days=rng.randrange(7))
                permit = coupled - dt.timedelta(days=rng.randrange(7, 29) + 7 * rng.randrange(1, 9))
                housed = coupled + dt.timedelta(days=rng.randrange(21, 113))
                code = rng.choices(codes, weights)[0]
                size = rng.choice((1, 1, 1, 2, 2, 3, 4, 5))
                hid = f"hist-{week:02d}-{n:04d}"
                moved = housed <= last
                households.append(Household(
                    household_id=hid, size=size, location_id=rng.choice(locations), permit_date=permit,
                    amv=rng.random() < 0.05, state="housed" if moved else "coupled", municipality_code=code,
                    coupling_date=coupled, housed_date=housed if moved else None,
                    housed_period_id=period_id if moved else None))
                lines.setdefault(monday, []).append((hid, "couple", code, size, coupled))
                if moved:
                    lines.setdefault(housed - dt.timedelta(days=housed.weekday()), []).append(
                        (hid, "house", code, size, housed))
        session.add_all(households)
        session.flush()
        count = 0
        for monday in sorted(lines):
            job = Job(status="done", as_of=monday, params={}, solver="greedy", time_limit=20.0, period_id=period_id)
            session.add(job)
            session.flush()
            seen: set[str] = set()
            for hid, action, code, size, day in lines[monday]:
                if hid in seen:  # one line per household and job: the couple line of the same week stays
                    continue
                seen.add(hid)
                session.add(ProposalLine(job_id=job.id, household_id=hid, action=action, municipality_code=code,
                                         persons=size, km=None, overdue_days=0, moves=0, reason="history",
                                         was_state="waiting", decision="accepted", decision_date=day))
                count += 1
        session.commit()
        return {"households": len(instance.households) + len(households), "history": len(households),
                "housed": sum(h.state == "housed" for h in households), "lines": count, "jobs": len(lines)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


WRITES = {
    "homes": "UPDATE homes SET updated_at = updated_at WHERE id = (SELECT min(id) FROM homes)",
    "home-change": "UPDATE homes SET accessible = NOT accessible "
                   "WHERE id = (SELECT min(id) FROM homes WHERE status = 'open')",
    "households": "UPDATE households SET needs_accessible = NOT needs_accessible "
                  "WHERE household_id = (SELECT min(household_id) FROM households WHERE state = 'waiting')",
}
"""The write made before each cold request (``--write``): to the first home, changing nothing
(``homes``, the default); to the first open home, whether it is accessible, back and forth
(``home-change``); to the first waiting household, whether it needs an accessible home, back and
forth (``households``: a change every figure and the households in line are computed from)."""

WRITTEN = {"homes": "a home (changing nothing)", "home-change": "a home (its accessibility)",
           "households": "a household (whether it needs an accessible home)"}


def touch(sessions, table: str = "homes") -> None:
    """A write that changes nothing but is a write, to ``table`` (:data:`WRITES`): what the
    service keeps (signals, figures) from that table must be computed afresh by the next request
    (:mod:`api.services.changes`)."""
    from sqlalchemy import text

    with sessions() as session:
        session.execute(text(WRITES[table]))
        session.commit()


@dataclass
class Timed:
    """One request's timings: ``cold``, each the first request after a write (the service
    computes afresh), and ``warm``, repeated without a write in between (what it kept)."""

    role: str
    path: str
    cold: list[float]
    warm: list[float]
    size: int

    def row(self) -> str:
        cells = []
        for values in (self.cold, self.warm):
            p90 = percentile(values, 0.9)
            cells += [f"{statistics.median(values):.1f}", f"{p90:.1f}", f"{max(values):.1f}",
                      "yes" if p90 <= GOAL_MS else "no"]
        return f"| {self.role} | `{self.path}` | " + " | ".join(cells) + f" | {self.size} |"

    @property
    def ok(self) -> bool:
        return percentile(self.cold, 0.9) <= GOAL_MS and percentile(self.warm, 0.9) <= GOAL_MS


TABLE_HEAD = ["| role | request | cold median ms | cold p90 ms | cold max ms | cold within goal (p90) "
              "| warm median ms | warm p90 ms | warm max ms | warm within goal (p90) | bytes |",
              "|---|---|---:|---:|---:|---|---:|---:|---:|---|---:|"]


def measure(browser, role: str, path: str, headers: dict[str, str], repeats: int, write) -> Timed:
    """After one warm-up request, ``repeats`` cold requests (each after ``write()``, untimed),
    then ``repeats`` warm ones (no write in between)."""
    def get() -> tuple[float, int]:
        t0 = time.perf_counter()
        response = browser.get(path, headers=headers)
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{role} {path}: {response.status_code} {response.text[:300]}")
        return elapsed, len(response.content)

    get()  # warm-up: imports, templates, connections
    cold = []
    for _ in range(repeats):
        write()
        cold.append(get()[0])
    warm, size = [], 0
    for _ in range(repeats):
        elapsed, size = get()
        warm.append(elapsed)
    timed = Timed(role, path, cold, warm, size)
    print(f"{role:12} {path:60} cold median {statistics.median(cold):7.1f} p90 {percentile(cold, 0.9):7.1f}  "
          f"warm median {statistics.median(warm):7.1f} p90 {percentile(warm, 0.9):7.1f} ms", flush=True)
    return timed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.monitoring_pages", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL URL (a private schema is made in it)")
    parser.add_argument("--per-week", type=int, default=450, help="households coupled per week of history (450)")
    parser.add_argument("--repeats", type=int, default=15, help="timed requests per page and role (15)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", choices=sorted(WRITES), default="homes",
                        help="the table written to before each cold request (homes)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not 1 <= args.per_week <= 5000 or not 1 <= args.repeats <= 1000:
        parser.error("--per-week must be 1-5000 and --repeats 1-1000")

    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from api.config import Settings
    from api.db import make_engine, session_factory
    from api.main import create_app
    from api.services import tokens
    from api.services.bootstrap import prepare

    schema = f"bench_monitoring_{uuid.uuid4().hex[:10]}"
    settings = Settings(database_url=args.database_url, db_schema=schema, run_worker=False, solve_in_subprocess=False)
    engine = make_engine(settings)
    try:
        prepare(engine)
        sessions = session_factory(engine)
        started = time.perf_counter()
        built = build_history(sessions, args.per_week, args.seed)
        build_s = time.perf_counter() - started
        with engine.connect() as connection:  # what autovacuum does after a bulk load, done now
            connection.execute(text("ANALYZE"))
            connection.commit()
        load_before = os.getloadavg()
        with sessions() as session:
            coa = tokens.create_token(session, "coa", label="bench").secret
            enschede = tokens.create_token(session, "municipality", "GM0153", label="bench").secret
        results = []
        with TestClient(create_app(settings)) as client:
            for role, secret in (("coa", coa), ("municipality", enschede)):
                browser = TestClient(client.app)
                form = browser.get("/ui/sign-in").text
                csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
                browser.post("/ui/sign-in", data={"token": secret, "csrf": csrf}, follow_redirects=False)
                for path in PATHS:
                    headers = {"Authorization": f"Bearer {secret}"} if path.startswith("/api/") else {}
                    results.append(measure(browser, role, path, headers, args.repeats, lambda: touch(sessions, args.write)))
                browser.close()
    finally:
        engine.dispose()
        with make_engine(Settings(database_url=args.database_url)).connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.commit()
    write(args, built, build_s, results, load_before)
    return 0 if all(r.ok for r in results) else 1


def write(args, built: dict[str, int], build_s: float, results: list, load_before: tuple[float, ...]) -> None:
    load = os.getloadavg()
    lines = [
        "# Monitoring pages: response times (issue 16)",
        "",
        f"Goal: every page and route within {GOAL_MS:.0f} ms on the national example with 26 weeks of history, PostgreSQL.",
        "",
        f"Command: `python -m benchmarks.monitoring_pages --database-url <postgresql url> --per-week {args.per_week} "
        f"--repeats {args.repeats} --seed {args.seed}" + (f" --write {args.write}" if args.write != "homes" else "") + "`",
        "",
        f"Cold: the first request after a write to {WRITTEN[args.write]} "
        f"(`{WRITES[args.write]}`).",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node() and 'the project machine'} "
        f"({os.cpu_count()} cores, load average {load_before[0]:.1f} / {load_before[1]:.1f} / {load_before[2]:.1f} "
        f"before the timed requests and {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} after, "
        f"Python {sys.version.split()[0]}); in-process through the app (no network).",
        "",
        f"Database: {built['households']} households ({built['history']} of them history, {built['housed']} housed), "
        f"{built['jobs']} done jobs with {built['lines']} accepted lines; built in {build_s:.0f} s.",
        "",
        *TABLE_HEAD,
        *[r.row() for r in results],
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    raise SystemExit(main())

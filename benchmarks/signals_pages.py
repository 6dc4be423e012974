"""Benchmark of the signals (issue 16 item 5): the planner's overview (which now lists the
newest signals), the signal pages and the feed, on the national example with 26 weeks of
history (the database of :mod:`benchmarks.monitoring_pages`), on PostgreSQL; the issue's goal is
300 ms a page.

``python -m benchmarks.signals_pages --database-url postgresql://postgres@127.0.0.1:5432/test``

It builds the same database as :func:`benchmarks.monitoring_pages.build_history` in a private
schema (dropped at the end), signs in a COA planner and a municipality (Enschede) and requests
each page or route in-process through the app, as of 2024-01-01 (the Monday after the
history's last week), after one warm-up: ``--repeats`` times *cold*, each right after a write
(untimed), so the service computes the signals afresh, then ``--repeats`` times *warm*, what it
kept (:mod:`api.services.changes`); writes median, p90 and max of both per request to
``benchmarks/results/signals_pages.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
import uuid
from pathlib import Path

from benchmarks.monitoring_pages import GOAL_MS, TABLE_HEAD, WRITES, WRITTEN, Timed, build_history, measure, touch

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "signals_pages.md"
ON = "2024-01-01"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.signals_pages", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL URL (a private schema is made in it)")
    parser.add_argument("--per-week", type=int, default=450, help="households coupled per week of history (450)")
    parser.add_argument("--repeats", type=int, default=10, help="timed requests per page and role (10)")
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

    schema = f"bench_signals_{uuid.uuid4().hex[:10]}"
    settings = Settings(database_url=args.database_url, db_schema=schema, run_worker=False, solve_in_subprocess=False)
    engine = make_engine(settings)
    results: list[Timed] = []
    counts: dict[str, int] = {}
    try:
        prepare(engine)
        sessions = session_factory(engine)
        started = time.perf_counter()
        built = build_history(sessions, args.per_week, args.seed)
        build_s = time.perf_counter() - started
        with engine.connect() as connection:  # what autovacuum does after a bulk load, done now
            connection.execute(text("ANALYZE"))
            connection.commit()
        with sessions() as session:
            coa = tokens.create_token(session, "coa", label="bench").secret
            enschede = tokens.create_token(session, "municipality", "GM0153", label="bench").secret
        with TestClient(create_app(settings)) as client:
            first: dict[str, str] = {}
            cursor = None
            while True:  # the whole feed, page by page: how many of each kind, and the first of each
                feed = client.get("/api/v1/signals", params={"as_of": ON, "limit": 200, **({"after": cursor} if cursor else {})},
                                  headers={"Authorization": f"Bearer {coa}"}).json()
                for item in feed["items"]:
                    counts[item["kind"]] = counts.get(item["kind"], 0) + 1
                    first.setdefault(item["kind"], item["id"])
                cursor = feed["next"]
                if cursor is None:
                    break
            paths = {"coa": [f"/ui/planner?on={ON}", f"/ui/planner/signals?on={ON}",
                             *[f"/ui/planner/signals/{ident}?on={ON}" for ident in first.values()],
                             f"/api/v1/signals?as_of={ON}", f"/api/v1/signals?as_of={ON}&limit=200"],
                     "municipality": [f"/api/v1/signals?as_of={ON}"]}
            for role, secret in (("coa", coa), ("municipality", enschede)):
                browser = TestClient(client.app)
                form = browser.get("/ui/sign-in").text
                csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
                browser.post("/ui/sign-in", data={"token": secret, "csrf": csrf}, follow_redirects=False)
                for path in paths[role]:
                    headers = {"Authorization": f"Bearer {secret}"} if path.startswith("/api/") else {}
                    results.append(measure(browser, role, path, headers, args.repeats, lambda: touch(sessions, args.write)))
                browser.close()
    finally:
        engine.dispose()
        with make_engine(Settings(database_url=args.database_url)).connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.commit()
    write(args, built, build_s, results, counts)
    return 0 if all(r.ok for r in results) else 1


def write(args, built: dict[str, int], build_s: float, results: list, counts: dict[str, int]) -> None:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    lines = [
        "# Signals: response times (issue 16 item 5)",
        "",
        f"Goal: every page and route within {GOAL_MS:.0f} ms on the national example with 26 weeks of history, PostgreSQL.",
        "",
        f"Command: `python -m benchmarks.signals_pages --database-url <postgresql url> --per-week {args.per_week} "
        f"--repeats {args.repeats} --seed {args.seed}" + (f" --write {args.write}" if args.write != "homes" else "") + "`",
        "",
        f"Cold: the first request after a write to {WRITTEN[args.write]} "
        f"(`{WRITES[args.write]}`).",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node() and 'the project machine'} "
        f"({os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, "
        f"Python {sys.version.split()[0]}); in-process through the app (no network); as of {ON}.",
        "",
        f"Database: {built['households']} households ({built['history']} of them history, {built['housed']} housed), "
        f"{built['jobs']} done jobs with {built['lines']} accepted lines; built in {build_s:.0f} s. Signals on {ON}: "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) + ".",
        "",
        *TABLE_HEAD,
        *[r.row() for r in results],
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    raise SystemExit(main())

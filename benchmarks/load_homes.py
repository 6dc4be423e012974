"""Load benchmark of the service: N municipalities at once submitting homes (``POST /api/v1/homes``).

``python -m benchmarks.load_homes --database-url postgresql://postgres@127.0.0.1:5432/test``

What it does, and nothing else:

1. makes a private PostgreSQL schema (``bench_homes_<random>``, dropped at the end), migrates and
   seeds it, and makes one municipality token for each of the first N municipalities (by code);
2. starts ``matcher serve --port 0 --no-access-log`` on 127.0.0.1 (loopback only) and waits for
   ``/health``;
3. runs N clients at once, one per municipality, each on its own keep-alive connection and
   sending its requests one after the other (a closed loop): a new home with a fresh reference,
   and every ``retry_every``-th request the previous one again (a retry, which must answer 200
   with the same home and create nothing);
   With ``--rate R`` the load is an open loop instead: R requests per second offered in all,
   each municipality's requests due at fixed times, latency counted from the due time;
4. stops after ``N x per_municipality`` requests or ``--max-seconds``, whichever comes first;
5. checks in the database that every reference made exactly one home; writes requests per second,
   p50/p90/p99/max latency and errors to ``benchmarks/results/load_homes.md`` (and prints them).

The client is a minimal HTTP/1.1 writer/reader on asyncio streams, so that on a 2-core machine the
load generator takes as little CPU as possible from the server it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "load_homes.md"
GOAL = {"rps": 200.0, "p99_ms": 200.0, "errors": 0}


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    retries_ok: int = 0
    retries_bad: int = 0


class Connection:
    """One keep-alive HTTP/1.1 connection to the server."""

    def __init__(self, host: str, port: int, token: str):
        self.host, self.port, self.token = host, port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: dict) -> tuple[int, dict]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        payload = json.dumps(body).encode()
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAuthorization: Bearer {self.token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode()
        self.writer.write(head + payload)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        data = await self.reader.readexactly(length) if length else b""
        return status, json.loads(data) if data else {}

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass


def home_body(code: str, prefix: str, n: int) -> dict:
    return {"reference": f"{code}-{prefix}-{n}", "kind": ("regular", "shared", "temporary")[n % 3],
            "capacity": 1 + n % 6, "accessible": n % 7 == 0, "available_from": "2023-07-01"}


async def municipality(code: str, prefix: str, token: str, host: str, port: int, requests: int, retry_every: int,
                       deadline: float, tally: Tally, interval: float = 0.0, offset: float = 0.0) -> None:
    """One municipality's client.  Closed loop (``interval`` 0): the next request as soon as the
    last answer came.  Open loop: request ``n`` is due at ``offset + n * interval`` seconds from
    the start, and its latency counts from that moment, so a slow answer that delays the next
    requests is charged to them too (no coordinated omission)."""
    connection = Connection(host, port, token)
    last: tuple[dict, int] | None = None
    began = time.perf_counter()
    try:
        for n in range(requests):
            if time.monotonic() > deadline:
                break
            retry = bool(retry_every) and last is not None and n % retry_every == retry_every - 1
            body = last[0] if retry else home_body(code, prefix, n)
            start = time.perf_counter()
            if interval:
                due = began + offset + n * interval
                if due > start:
                    await asyncio.sleep(due - start)
                start = due
            try:
                status, answer = await connection.request("POST", "/api/v1/homes", body)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
                tally.errors.append(f"{code}: {type(exc).__name__}: {exc}")
                await connection.close()
                connection = Connection(host, port, token)
                continue
            tally.latencies.append(time.perf_counter() - start)
            tally.statuses[status] = tally.statuses.get(status, 0) + 1
            if retry:
                if status == 200 and answer.get("id") == last[1]:
                    tally.retries_ok += 1
                else:
                    tally.retries_bad += 1
                    tally.errors.append(f"{code}: retry answered {status} {answer}")
            elif status == 201:
                last = (body, answer["id"])
            else:
                tally.errors.append(f"{code}: {status} {str(answer)[:200]}")
    finally:
        await connection.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def start_server(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    matcher = shutil.which("matcher", path=str(Path(sys.executable).parent)) or "matcher"
    process = subprocess.Popen([matcher, "serve", "--host", "127.0.0.1", "--port", "0", "--no-access-log",
                                "--workers", str(workers)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:
        if "listening on " in line:
            return process, line.split("listening on ")[1].split()[0]
    raise RuntimeError("matcher serve stopped before listening")


def server_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) so far of process ``pid`` and every process below it (the server's
    worker processes), from ``/proc``; ``None`` where there is no ``/proc``."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            if current == pid:
                return None
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo += [int(child) for child in children.read_text().split()]
            except OSError:
                pass
    return total / tick


def wait_healthy(url: str, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _positive(text: str) -> int:
    """A whole number of at least 1 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_homes", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--municipalities", type=int, default=50)
    parser.add_argument("--per-municipality", type=int, default=60, help="requests per municipality (default 60)")
    parser.add_argument("--retry-every", type=int, default=10, help="every n-th request repeats the previous one (0: never)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured requests per municipality first")
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--rate", type=float, default=0.0,
                        help="open loop: offer this many requests per second in all, spread evenly over the "
                             "municipalities, latency counted from each request's due time (default 0: closed loop, "
                             "each municipality sends as soon as its last answer came)")
    parser.add_argument("--concurrency", type=_positive, default=None,
                        help="requests each server process works on at once (MATCHER_CONCURRENCY; default: the server's)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="markdown file to write ('-' to only print)")
    args = parser.parse_args(argv)

    from sqlalchemy import func, select, text

    from api.config import Settings
    from api.db import describe, make_engine, session_factory
    from api.models import Home, Municipality
    from api.services import tokens
    from api.services.bootstrap import prepare

    schema = f"bench_homes_{uuid.uuid4().hex[:10]}"
    settings = Settings(database_url=args.database_url, db_schema=schema if "postgres" in args.database_url else None)
    engine = make_engine(settings)
    process = None
    try:
        prepare(engine)
        sessions = session_factory(engine)
        with sessions() as session:
            codes = list(session.scalars(select(Municipality.code).order_by(Municipality.code).limit(args.municipalities)))
            secrets = {code: tokens.create_token(session, "municipality", code, label="bench").secret for code in codes}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "MATCHER_"))}
        env.update(DATABASE_URL=args.database_url, MATCHER_WORKER="0")
        if args.concurrency is not None:
            env["MATCHER_CONCURRENCY"] = str(args.concurrency)
        if settings.db_schema:
            env["MATCHER_DB_SCHEMA"] = settings.db_schema
        process, url = start_server(env, args.workers)
        parts = urlsplit(url)
        assert parts.hostname in ("127.0.0.1", "localhost", "::1"), f"loopback only, not {url}"
        wait_healthy(url)

        interval = len(codes) / args.rate if args.rate else 0.0
        threads = args.concurrency or Settings.concurrency

        async def run(requests: int, prefix: str, tally: Tally) -> float:
            deadline = time.monotonic() + args.max_seconds
            started = time.perf_counter()
            await asyncio.gather(*(municipality(code, prefix, secrets[code], parts.hostname, parts.port, requests,
                                                args.retry_every, deadline, tally, interval, i * interval / len(codes))
                                   for i, code in enumerate(codes)))
            return time.perf_counter() - started

        asyncio.run(run(args.warmup, "warmup", Tally()))  # connections, caches, first-query plans
        load_before = os.getloadavg()
        cpu_before = server_cpu_seconds(process.pid)
        tally = Tally()
        elapsed = asyncio.run(run(args.per_municipality, "bench", tally))
        cpu_after = server_cpu_seconds(process.pid)
        load_after = os.getloadavg()
        with sessions() as session:
            homes = session.scalar(select(func.count()).select_from(Home).where(Home.reference.like("%-bench-%")))
            duplicates = session.execute(text("SELECT count(*) FROM (SELECT municipality_code, reference FROM homes "
                                              "GROUP BY 1, 2 HAVING count(*) > 1) d")).scalar()
        created = tally.statuses.get(201, 0)
        done = len(tally.latencies)
        rps = done / elapsed if elapsed else 0.0
        p = {q: 1000 * percentile(tally.latencies, q) for q in (50, 90, 99, 100)} if tally.latencies else {}
        errors = len(tally.errors) + (homes != created) + duplicates
        result = {
            "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": "python -m benchmarks.load_homes " + " ".join(argv if argv is not None else sys.argv[1:]),
            "database": describe(engine) + (f" (schema {schema})" if settings.db_schema else ""),
            "server": f"matcher serve --workers {args.workers} --no-access-log (uvicorn; per process {threads} worker "
                      f"threads, one per request with its token check, and {threads} pooled connections)",
            "load": (f"open loop: {args.rate:g} requests/s offered, each municipality every {interval * 1000:.0f} ms, "
                     "latency from each request's due time") if args.rate else
                    "closed loop: each municipality sends its next request as soon as the last answer came",
            "municipalities": len(codes), "requests": done, "seconds": round(elapsed, 2), "rps": round(rps, 1),
            "p50_ms": round(p.get(50, 0), 1), "p90_ms": round(p.get(90, 0), 1), "p99_ms": round(p.get(99, 0), 1),
            "max_ms": round(p.get(100, 0), 1),
            "server_cpu_ms_per_request": round(1000 * (cpu_after - cpu_before) / done, 2)
            if done and cpu_before is not None and cpu_after is not None else None,
            "mean_ms": round(1000 * statistics.fmean(tally.latencies), 1) if done else 0,
            "statuses": dict(sorted(tally.statuses.items())), "retries_ok": tally.retries_ok,
            "homes_created": created, "homes_in_db": homes, "duplicate_references": duplicates, "errors": errors,
            "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
                       f"load average {load_before[0]:.2f} before / {load_after[0]:.2f} after",
        }
        result["goal_met"] = (rps >= GOAL["rps"] and p.get(99, 1e9) < GOAL["p99_ms"] and errors == 0)
        print(json.dumps(result, indent=2))
        for line in tally.errors[:10]:
            print("error:", line, file=sys.stderr)
        if str(args.results) != "-":
            write_markdown(args.results, result)
        return 0 if errors == 0 else 1
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if settings.db_schema:
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def header() -> str:
    """The results file's opening: the goal, what limits it, what was changed and measured."""
    return ("# Load benchmark: municipalities submitting homes\n\n"
              "Written by `python -m benchmarks.load_homes` (see its docstring for what it does). Goal: "
              f"at least {GOAL['rps']:.0f} requests/s, p99 below {GOAL['p99_ms']:.0f} ms, no errors, with 50 "
              "municipalities at once on PostgreSQL over loopback. A benchmark, not a test: the machine is shared, "
              "so the load average is recorded with each run.\n\n"
              "**Re-measured 2026-12-02 after the hardening of issue #12** (authentication before the body, size "
              "limits and security headers in the ASGI middleware `api/guard.py`, sessions in the database): **no "
              "measurable cost, but today's 12.8 ms p99 could not be re-measured: the machine was loaded throughout** "
              "(load average 7-17 on 2 cores, from other test suites and benchmarks). Paired runs of "
              "`python -m benchmarks.load_homes --workers 2 --rate 210 --results -`, alternately on the code before "
              "the hardening (4825b28, in a separate worktree) and on main (d257f43, and 2374074 for the last set: "
              "the same service code; the same benchmark script on both sides), 9 + 9 runs in three sets of 3 + 3, every one shown below "
              "with its load average. p99, before / main: load 15-16: 3468, 1045, 951 / 2050, 1662, 2165 ms; load "
              "14-17: 610, 1630, 1194 / 565, 890, 1212 ms; load 7-9: 494, 271, 449 / 541, 131, 496 ms. p50 at load "
              "7-9: 8.0, 7.7, 8.1 / 8.6, 8.1, 9.6 ms. At this load the open loop queues for CPU, so p99 swings by a "
              "factor 3-6 between runs of the same code and the two sides overlap in every set: within the noise, "
              "and no finer statement is possible from latency here. The server's CPU time per request (parent and "
              "worker processes, from /proc; it moves far less with the load), before / main: load 14-17: 2.15, "
              "2.08, 2.09 / 1.84, 1.90, 2.13 ms; load 7-9: 2.18, 2.12, 2.17 / 2.24, 2.05, 2.21 ms (means 2.13 / "
              "2.06): no increase. The middleware alone, in process (`python -m benchmarks.guard_cost`: the homes "
              "request's scope 50,000 times through `Guard` around an app that answers at once, load average 9.8): "
              "12-16 us per request, under 1 % of those 2.1 ms, so there was nothing in it to profile or fix. Every "
              "run: zero errors, every retry answered with the same home, no duplicate reference. Whether p99 is "
              "still about 12.8 ms on a quiet machine is open: run the same pair when the load average is below 2.\n\n"
              "**Result, 2026-12-01 (issue #4): the goal is met.** 50 municipalities at once, 2 server processes "
              "(`--workers 2`) of 4 worker threads each (the default since then), zero errors in every run: open loop "
              "at 210 requests/s p50 4.5 ms, p99 12.8 ms; at 400 requests/s p50 4.7 ms, p99 51.5 ms; closed loop (each "
              "municipality sends as soon as its last answer came; 10,000 requests) 666 requests/s, p50 73 ms, p99 "
              "137 ms. The closed loop is a saturation test: its latency is queueing by construction (p50 about 50 / "
              "requests per second). What made the closed loop meet it: 4 worker threads per process instead of 20. "
              "The route is CPU work under the GIL with sub-millisecond database waits, so more threads only take the "
              "GIL from each other and from the event loop that reads the next requests. Alternated closed-loop runs "
              "with `--workers 2 --per-municipality 200 --results -` (10,000 requests each; load average 1.1-5.8, "
              "mostly the runs themselves): 4 threads 520 / 649 / 542 requests/s, p99 181 / 161 / 189 ms; 20 threads "
              "505 / 542 / 466 requests/s, p99 226 / 227 / 243 ms. Shorter runs (3,000 requests) are noisier: 4 threads "
              "465-722 requests/s, p99 131-207 ms (8 runs); 8 threads 419-588, p99 182-312 (3); 20 threads 483-647, p99 "
              "190-266 (6); 2 threads 614-912, p99 99-139 (3; not the default: one slow request, an upload of 50,000 "
              "households or a large export, would then hold half a process). Open loop at 400 requests/s: p99 19-64 "
              "ms with 4 threads (4 runs), 23-138 ms with 20 (3 runs; a fourth, on a loaded machine: 491 ms). One server "
              "process (the default `matcher serve`, 4 threads) meets it too: open loop at 210 requests/s p99 8.7 ms, "
              "closed loop (10,000 requests) 571 requests/s, p99 155 ms (before: about 155 requests/s flat out). The "
              "runs recorded below since 2026-12-01 08:25 are at 0e89e0b or later (same service code).\n\n"
              "What limits it here: the server, PostgreSQL and this load generator share 2 cores (and, on the "
              "project machine, other work: see the load average of each run). With 50 clients each sending as soon as "
              "its last answer came, latency is queueing: p50 is about 50 / (requests per second), so p99 below 200 ms "
              "needs roughly 400 requests/s. Measured per request (CPU time of each process over a run): the server "
              "took about 5.5 ms in the runs up to 2026-11-22 06:33 and about 4 ms in those from 08:49 on, PostgreSQL about 2.9 ms "
              "before and 0.9 ms after, this client 0.2 ms. The changes: one worker thread per request instead of "
              "three (the token is checked in the route's own thread and transaction; FastAPI ran the session "
              "dependency's entry and exit and the route each in a thread of their own), one pooled connection per "
              "request instead of two, 20 worker threads and 20 pooled connections per process (the pool kept 10, "
              "so the other 20 threads opened and closed a PostgreSQL connection per request), and 6 round trips "
              "instead of 10 (ping, begin, token, insert ... on conflict do nothing returning, audit event, commit; "
              "before: a second ping and begin, a rollback after the token, and a select before the insert). "
              "What is left is mostly FastAPI's and SQLAlchemy's Python per request and about 0.1 ms of CPU per "
              "round trip to PostgreSQL on this virtual machine. Every run so far: zero errors, every retry answered "
              "with the same home, no duplicate reference.\n\n"
              "Open loop (`--rate R`, since 2026-11-22 09:12): requests offered at a fixed total rate, each "
              "latency counted from the request's due time, so it is the latency a municipality sees at that "
              "throughput rather than a queue of 50 eager clients. At 200 requests/s with 2 server processes the "
              "median is 11.5 ms but p99 337 ms: the service is near its capacity on 2 cores (about 220-260 "
              "requests/s with 2 processes, 155 with one; offered 220/s, the queue grows and latency reaches "
              "seconds: runs with `--results -`, not recorded below). The goal needed roughly half the CPU per request.\n\n"
              "Since 2026-11-22 10:00 (issue #4) the hot path of `POST /api/v1/homes` runs statements built once (the token "
              "lookup and the insert: SQLAlchemy finds them compiled without working out a cache key or an ORM plan per "
              "request) on the session's Core connection instead of the ORM's bulk insert and flush, and on PostgreSQL "
              "the audit event is written by the insert's own statement (`WITH new_home AS (INSERT ... ON CONFLICT DO "
              "NOTHING RETURNING ...), new_event AS (INSERT INTO audit_events ... SELECT ... FROM new_home) SELECT * FROM "
              "new_home`; on SQLite a second insert): 5 round trips instead of 6 (ping, begin, token, insert with its "
              "event, commit), the same rows and answers. CPU per request of one server process over 2000-3000 "
              "requests on 4 connections (noisy: the same code measured 3.4 ms on a quiet machine and 6.3 ms on a busy "
              "one, so old and new were measured alternately): 3.4-3.6 ms before, 2.3-2.7 ms after on a quiet machine, "
              "6.2-6.5 before and 4.5-4.6 after on a busy one; in process without sockets 3.1 ms before and 1.6 ms after, "
              "of which the service's own work (token, insert, audit event, commit) 1.85 ms before and 0.67 ms after; "
              "PostgreSQL about 0.1 ms less. The rest is FastAPI's and uvicorn's per request (routing, dependencies, "
              "the hop to a worker thread: `GET /health` alone takes 0.7 ms in process). `pool_pre_ping` costs no "
              "measurable CPU and stays. Runs with `--results -` and 2 server processes, load average 0.5-2.4: open loop "
              "200 requests/s p50 3.8-4.6 ms, p99 6.5-10.8 ms; 210/s p99 7.7 ms; 250/s p99 47 ms; 300/s p99 253 ms "
              "(capacity now about 280 requests/s); closed loop 396-435 requests/s, p99 211-240 ms (p50 about 50 / "
              "requests per second, as above). At `--rate 200` the measured rate cannot exceed the offered one, so it "
              "reports 199.9x requests/s and 'goal met: no' on that alone; `--rate 210` shows the goal met. Zero "
              "errors in every run.\n\n")


def write_markdown(path: Path, r: dict) -> None:
    """Add this run at the top of the results file (newest first), keeping earlier runs."""
    run = (f"## {r['when']}\n\n"
           f"```\n{r['command']}\n```\n\n"
           f"| measure | value |\n|---|---|\n"
           f"| database | {r['database']} |\n| server | {r['server']} |\n| machine | {r['machine']} |\n"
           f"| load | {r.get('load', 'closed loop')} |\n"
           f"| municipalities at once | {r['municipalities']} |\n| requests measured | {r['requests']} in {r['seconds']} s |\n"
           f"| **requests per second** | **{r['rps']}** |\n"
           f"| latency p50 / p90 / **p99** / max | {r['p50_ms']} / {r['p90_ms']} / **{r['p99_ms']}** / {r['max_ms']} ms |\n"
           + (f"| server CPU per request (all its processes) | {r['server_cpu_ms_per_request']} ms |\n"
              if r.get("server_cpu_ms_per_request") is not None else "")
           + f"| statuses | {', '.join(f'{k}: {v}' for k, v in r['statuses'].items())} |\n"
           f"| retries answered 200 with the same home | {r['retries_ok']} |\n"
           f"| homes created / in the database / duplicate references | {r['homes_created']} / {r['homes_in_db']} / {r['duplicate_references']} |\n"
           f"| **errors** | **{r['errors']}** |\n| goal met | {'yes' if r['goal_met'] else 'no'} |\n\n")
    earlier = ""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        marker = text.find("\n## ")
        earlier = text[marker + 1:] if marker >= 0 else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header() + run + earlier, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

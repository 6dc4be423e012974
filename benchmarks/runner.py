"""The benchmark runner: every backend on every instance, each run in a fresh subprocess.

``python -m benchmarks [--instances A,B] [--solvers X,Y] [--time-limit S] [--seed N] [--results DIR]``

For each instance: build it and write it once to ``WORK/instances/NAME-sSEED/``.  For each backend:
start ``python -m benchmarks.child`` in a new session (its own process group), poll it, and kill the
whole group when it passes ``time limit + margin`` of wall-clock time (status ``killed``) or when the
group's resident memory passes ``--memory-limit-mb`` (status ``memout``).  When the child exits the
parent reads its rusage (``os.wait4``), runs :func:`matcher.check.check_files` on the
``proposal.csv`` it wrote, appends one row to ``RESULTS/runs.csv`` and regenerates
``RESULTS/README.md``.  See ``benchmarks/PROTOCOL.md``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import instances as bench_instances
from benchmarks.report import FIELDS, write_report
from matcher.models import LEVEL_NAMES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_WORK = ROOT / "benchmarks" / "work"
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
LEVELS = LEVEL_NAMES


def git_commit() -> str:
    """``git rev-parse --short HEAD``, plus ``-dirty`` when the work tree has changes (read-only)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def group_rss_kb(pgid: int) -> int:
    """Resident memory (KiB) summed over every live process of process group ``pgid``."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        fields = data[data.rindex(b")") + 2:].split()
        if int(fields[2]) == pgid:
            total += int(fields[21]) * PAGE_KB
    return total


@dataclass
class ChildOutcome:
    status: str | None
    """``killed`` or ``memout`` when the parent ended it, else ``None``."""
    exit_code: int
    wall_s: float
    maxrss_kb: int
    """Kernel's peak RSS of the largest single process of the run (``wait4`` rusage)."""
    tree_peak_kb: int
    """Largest sampled sum of RSS over the run's process group."""


def run_child(cmd: list[str], log_path: Path, hard_limit_s: float, memory_limit_kb: int) -> ChildOutcome:
    """Run ``cmd`` in its own session; kill its process group at ``hard_limit_s`` or ``memory_limit_kb``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with log_path.open("wb") as log:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    pgid = proc.pid
    killed: str | None = None
    tree_peak = 0
    try:
        while True:
            pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.monotonic() - start
            rss = group_rss_kb(pgid)
            tree_peak = max(tree_peak, rss)
            if killed is None:
                if rss > memory_limit_kb:
                    killed = "memout"
                elif elapsed > hard_limit_s:
                    killed = "killed"
                if killed is not None:
                    _kill_group(pgid)
            time.sleep(0.05 if elapsed < 2 else 0.2)
    except BaseException:
        _kill_group(pgid)
        os.wait4(proc.pid, 0)
        raise
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(wait_status)
    _kill_group(pgid)  # anything the child left behind (e.g. a CBC process)
    return ChildOutcome(killed, proc.returncode, wall, usage.ru_maxrss, tree_peak)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _last_lines(path: Path, n: int = 1) -> str:
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return " | ".join(lines[-n:])


def run_one(instance_name: str, instance_dir: Path, households: int, dwellings: int, backend: str,
            args: argparse.Namespace, work: Path, commit: str) -> dict:
    """One run of ``backend`` on an instance folder; returns the CSV row."""
    from matcher.check import check_files

    run_dir = work / "runs" / f"{instance_name}-s{args.seed}" / backend
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    cmd = [sys.executable, "-m", "benchmarks.child", str(instance_dir), str(run_dir), "--solver", backend,
           "--time-limit", repr(args.time_limit), "--seed", str(args.seed), "--workers", str(args.workers)]
    margin = args.margin if args.margin is not None else 30.0 + 0.25 * args.time_limit
    timestamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    outcome = run_child(cmd, run_dir / "child.log", args.time_limit + margin, args.memory_limit_mb * 1024)
    row: dict = dict.fromkeys(FIELDS, "")
    row.update(instance=instance_name, households=households, dwellings=dwellings, backend=backend,
               wall_s=f"{outcome.wall_s:.2f}",
               peak_mb=f"{max(outcome.maxrss_kb, outcome.tree_peak_kb) / 1024:.1f}",
               commit=commit, timestamp=timestamp, time_limit=f"{args.time_limit:g}", seed=args.seed)
    details: dict = {"instance": instance_name, "backend": backend, "timestamp": timestamp,
                     "exit_code": outcome.exit_code, "wall_s": outcome.wall_s,
                     "maxrss_kb": outcome.maxrss_kb, "tree_peak_kb": outcome.tree_peak_kb,
                     "hard_limit_s": args.time_limit + margin}
    result_path = run_dir / "result.json"
    if outcome.status is not None:
        row["status"] = outcome.status
        row["note"] = (f"killed at {args.time_limit + margin:g} s wall-clock" if outcome.status == "killed"
                       else f"killed: process group above {args.memory_limit_mb} MB resident")
    elif outcome.exit_code != 0 or not result_path.exists():
        row["status"] = "error"
        row["note"] = f"exit {outcome.exit_code}: {_last_lines(run_dir / 'child.log')}"[:300]
    else:
        result = json.loads(result_path.read_text(encoding="utf-8"))
        details["child"] = result
        row["status"] = result["status"]
        if "levels" in result:
            levels = result["levels"]
            proven = result["proven"]
            row.update({name: levels[name] for name in LEVELS})
            row["proven_levels"] = ",".join(str(i + 1) for i, p in enumerate(proven) if p)
            row["bound"] = "" if result["bound"] is None else f"{result['bound']:g}"
            row["gap"] = "" if result["gap"] is None else f"{result['gap']:.6g}"
            try:
                report = check_files(instance_dir, run_dir / "proposal.csv")
            except Exception as exc:  # noqa: BLE001 - a checker crash is a result to record
                row["check_ok"] = "false"
                row["note"] = f"checker raised {type(exc).__name__}: {exc}"[:300]
            else:
                row["check_ok"] = "true" if report.ok else "false"
                match = all(report.levels.get(name) == levels[name] for name in LEVELS)
                row["levels_match"] = "true" if match else "false"
                details["check"] = {"violations": list(report.violations[:50]),
                                    "violation_count": len(report.violations), "levels": report.levels}
                notes = []
                if not report.ok:
                    notes.append(f"{len(report.violations)} violations, first: {report.violations[0]}")
                if not match:
                    notes.append(f"checker levels {report.levels} != solver levels {levels}")
                row["note"] = "; ".join(notes)[:300]
        else:
            row["note"] = str(result.get("message", ""))[:300]
    with (args.results / "details.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(details, default=str) + "\n")
    return row


def append_row(path: Path, row: dict) -> None:
    new = not path.exists() or path.stat().st_size == 0
    if not new:
        with path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh), [])
        if header != FIELDS:
            raise SystemExit(f"{path}: header {header} differs from {FIELDS}; move the file away first")
    with path.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow(row)


def _names(text: str, known: tuple[str, ...], groups: dict[str, tuple[str, ...]], what: str) -> list[str]:
    out: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        for name in groups.get(part, (part,)):
            if name not in known:
                raise SystemExit(f"unknown {what} {name!r}; expected one of {', '.join(known)} "
                                 f"or a group: {', '.join(groups)}")
            if name not in out:
                out.append(name)
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    p.add_argument("--instances", default="examples",
                   help="comma-separated instance names or groups (examples, scale, all); default: examples "
                        f"= {','.join(bench_instances.EXAMPLES)}.  Known: {', '.join(bench_instances.INSTANCES)}")
    p.add_argument("--solvers", default="all", help="comma-separated backends (default: every name in matcher.solvers.SOLVERS)")
    p.add_argument("--time-limit", type=float, default=120.0, help="seconds per run handed to the solver (default 120)")
    p.add_argument("--margin", type=float, default=None,
                   help="extra wall-clock seconds before a run is killed (default 30 + time-limit/4)")
    p.add_argument("--seed", type=int, default=0, help="instance and solver seed (default 0)")
    p.add_argument("--workers", type=int, default=1, help="solver threads (default 1)")
    p.add_argument("--memory-limit-mb", type=int, default=20 * 1024,
                   help="kill a run whose process group's resident memory passes this (default 20480)")
    p.add_argument("--results", type=Path, default=DEFAULT_RESULTS, help="folder of runs.csv and README.md")
    p.add_argument("--work", type=Path, default=None,
                   help="folder for instance folders and run outputs (default benchmarks/work, or RESULTS/work "
                        "when --results is given)")
    p.add_argument("--report-only", action="store_true", help="only regenerate README.md from runs.csv")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from matcher.solvers import SOLVERS

    args.results = args.results.resolve()
    args.results.mkdir(parents=True, exist_ok=True)
    csv_path = args.results / "runs.csv"
    if args.report_only:
        write_report(csv_path, args.results / "README.md")
        return 0
    work = (args.work or (DEFAULT_WORK if args.results == DEFAULT_RESULTS else args.results / "work")).resolve()
    names = _names(args.instances, bench_instances.INSTANCES,
                   {"examples": bench_instances.EXAMPLES, "scale": tuple(bench_instances.SCALE),
                    "all": bench_instances.INSTANCES}, "instance")
    backends = _names(args.solvers, tuple(SOLVERS), {"all": tuple(SOLVERS)}, "solver")
    for name in names:
        instance_dir = work / "instances" / f"{name}-s{args.seed}"
        t0 = time.perf_counter()
        _, instance = bench_instances.write(name, args.seed, instance_dir)
        households, dwellings = len(instance.households), len(instance.dwellings)
        del instance
        print(f"{name}: {households} households, {dwellings} dwellings, written in "
              f"{time.perf_counter() - t0:.1f} s to {instance_dir}", flush=True)
        for backend in backends:
            row = run_one(name, instance_dir, households, dwellings, backend, args, work, git_commit())
            append_row(csv_path, row)
            write_report(csv_path, args.results / "README.md")
            print(f"  {backend:14s} {row['status']:9s} proven={row['proven_levels'] or '-':8s} "
                  f"levels=({row['overdue_relief']}, {row['placement']}, {row['moves']}, {row['quality']}) "
                  f"wall={row['wall_s']}s peak={row['peak_mb']}MB check_ok={row['check_ok'] or '-'} "
                  f"levels_match={row['levels_match'] or '-'} {row['note']}", flush=True)
    return 0

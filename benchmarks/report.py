"""``results/README.md`` from ``results/runs.csv``: the latest run per instance and backend, the
scale curve with fitted growth exponents, and loud warnings when exact backends disagree."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

from benchmarks.instances import INSTANCES, SCALE
from matcher.models import LEVEL_NAMES

FIELDS = [
    "instance", "households", "dwellings", "backend", "status", "proven_levels",
    *LEVEL_NAMES, "bound", "gap", "wall_s", "peak_mb",
    "check_ok", "levels_match", "commit", "timestamp", "time_limit", "seed", "note",
]
"""The columns of ``runs.csv``."""

COMPLETED = ("optimal", "feasible")


def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def latest(rows: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    """The last row (in file order, i.e. the latest appended) per (instance, backend)."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        out[row["instance"], row["backend"]] = row
    return out


def is_exact(backend: str) -> bool:
    try:
        from matcher.solvers import SOLVERS
    except Exception:  # noqa: BLE001 - the report must render even when matcher does not import
        return backend != "greedy"
    cls = SOLVERS.get(backend)
    return bool(getattr(cls, "exact", True)) if cls is not None else backend != "greedy"


def proven_prefix(row: dict[str, str]) -> int:
    """How many leading levels (1, 2, ...) the run proved optimal."""
    proven = {int(x) for x in row["proven_levels"].split(",") if x}
    k = 0
    while k + 1 in proven:
        k += 1
    return k


def levels_of(row: dict[str, str]) -> tuple[int, ...]:
    return tuple(int(row[name]) for name in LEVEL_NAMES)


def key_of(levels: tuple[int, ...], k: int) -> tuple[int, ...]:
    """Lexicographic comparison key of the first ``k`` levels (larger is better)."""
    signs = (1, 1, -1, -1)
    return tuple(s * v for s, v in zip(signs[:k], levels[:k]))


def fit_loglog(xs: list[float], ys: list[float]) -> tuple[float, float] | None:
    """Least-squares slope of log(y) on log(x) and its R²; ``None`` with fewer than two points."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if x > 0 and y > 0]
    if len(pts) < 2 or len({p[0] for p in pts}) < 2:
        return None
    n = len(pts)
    mx = sum(p[0] for p in pts) / n
    my = sum(p[1] for p in pts) / n
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    sxy = sum((p[0] - mx) * (p[1] - my) for p in pts)
    syy = sum((p[1] - my) ** 2 for p in pts)
    slope = sxy / sxx
    r2 = 1.0 if syy == 0 else (sxy * sxy) / (sxx * syy)
    return slope, r2


def warnings(last: dict[tuple[str, str], dict[str, str]]) -> list[str]:
    """Every disagreement, checker failure and level mismatch among the latest runs."""
    out: list[str] = []
    by_instance: dict[str, list[dict[str, str]]] = {}
    for (instance, _), row in last.items():
        by_instance.setdefault(instance, []).append(row)
    for instance in _ordered(by_instance):
        rows = by_instance[instance]
        for row in rows:
            if row["check_ok"] == "false":
                out.append(f"**CHECKER FAILURE** `{instance}` / `{row['backend']}`: {row['note'] or 'see details.jsonl'}")
            if row["levels_match"] == "false":
                out.append(f"**LEVELS MISMATCH** `{instance}` / `{row['backend']}`: the checker's levels differ from "
                           f"the solver's: {row['note']}")
            if row["status"] not in COMPLETED:
                out.append(f"run did not complete: `{instance}` / `{row['backend']}`: status `{row['status']}`"
                           + (f" ({row['note']})" if row["note"] else ""))
        done = [r for r in rows if r["status"] in COMPLETED and r["overdue_relief"] != ""]
        exact = [r for r in done if is_exact(r["backend"]) and proven_prefix(r) > 0]
        for i, a in enumerate(exact):
            for b in exact[i + 1:]:
                k = min(proven_prefix(a), proven_prefix(b))
                if levels_of(a)[:k] != levels_of(b)[:k]:
                    names = ", ".join(LEVEL_NAMES[:k])
                    out.append(
                        f"# ⚠️ DISAGREEMENT on `{instance}`: `{a['backend']}` and `{b['backend']}` both prove levels "
                        f"1–{k} ({names}) but give {levels_of(a)[:k]} vs {levels_of(b)[:k]}. At least one backend "
                        "is wrong.")
        for a in exact:
            k = min(3, proven_prefix(a))
            for b in done:
                if b is a:
                    continue
                if key_of(levels_of(b), k) > key_of(levels_of(a), k):
                    out.append(
                        f"# ⚠️ PROVEN OPTIMUM BEATEN on `{instance}`: `{b['backend']}` has levels 1–{k} "
                        f"{levels_of(b)[:k]}, better than `{a['backend']}`'s proven {levels_of(a)[:k]}.")
    return out


def _ordered(names) -> list[str]:
    rank = {name: i for i, name in enumerate(INSTANCES)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


def _backend_rank(backend: str) -> int:
    try:
        from matcher.solvers import SOLVERS
    except Exception:  # noqa: BLE001
        return 0
    names = list(SOLVERS)
    return names.index(backend) if backend in names else len(names)


def _sort_key(instance: str, backend: str) -> tuple:
    rank = INSTANCES.index(instance) if instance in INSTANCES else len(INSTANCES)
    return (rank, instance, _backend_rank(backend), backend)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return out


def render(rows: list[dict[str, str]]) -> str:
    last = latest(rows)
    lines = [
        "# Benchmark results",
        "",
        "Generated by `python -m benchmarks` from [`runs.csv`](runs.csv) (every run ever appended; this page "
        "shows the latest run per instance and backend).  How the figures are measured: "
        "[`../PROTOCOL.md`](../PROTOCOL.md).  Machine: 2 cores, 24 GiB; one run at a time, each in a fresh "
        "process.",
        "",
        "Levels: L1 overdue relief (max), L2 placement (max), L3 moves (min), L4 quality (min).  `proven` lists "
        "the levels the backend proved optimal; `wall_s` is the whole child process (start-up, reading, "
        "solving, writing); `peak_mb` its peak resident memory; `check_ok` is the independent checker on the "
        "written `proposal.csv`; `levels=` whether the checker's recomputed levels equal the solver's.",
        "",
    ]
    warns = warnings(last)
    loud = [w for w in warns if w.startswith("#") or w.startswith("**")]
    quiet = [w for w in warns if w not in loud]
    lines.append("## Warnings")
    lines.append("")
    if loud:
        for w in loud:
            lines += [w, ""]
    else:
        lines += ["No disagreement between exact backends on proven levels, no checker failure, and no "
                  "level mismatch among the latest runs.", ""]
    if quiet:
        lines += [f"- {w}" for w in quiet]
        lines.append("")

    lines += ["## Latest run per instance and backend", ""]
    table = []
    for (instance, backend), r in sorted(last.items(), key=lambda kv: _sort_key(*kv[0])):
        table.append([instance, r["households"], r["dwellings"], backend, r["status"], r["proven_levels"] or "-",
                      r["overdue_relief"], r["placement"], r["moves"], r["quality"], r["bound"], r["gap"],
                      r["wall_s"], r["peak_mb"], r["check_ok"] or "-", r["levels_match"] or "-",
                      r["time_limit"], r["commit"]])
    lines += _table(["instance", "households", "homes", "backend", "status", "proven", "L1", "L2", "L3", "L4",
                     "bound", "gap", "wall_s", "peak_mb", "check_ok", "levels=", "limit_s", "commit"], table)
    lines.append("")

    lines += ["## Scale curve", "",
              "The `scale-*` instances (the `nl` generator with 1k–50k waiting households, homes and "
              "taakstelling in `nl`'s proportion).  Growth exponents: least-squares slope of log(wall_s) and of "
              "log(peak_mb) on log(households) over one backend's completed scale runs (status optimal or "
              "feasible; killed, memout and error runs are left out and listed).  An exact backend's `feasible` "
              "run stopped without proving every level, so its wall time is capped by the limit and the "
              "exponent over all completed runs understates the growth; the column *only runs proven optimal* "
              "fits the uncapped runs alone.  "
              "Peak memory includes the ~100 MB of the Python interpreter with the solver libraries loaded, "
              "which flattens the memory exponent at the small end.",
              ""]
    scale_names = [n for n in SCALE]
    backends = sorted({b for (i, b) in last if i in SCALE}, key=lambda b: (_backend_rank(b), b))
    curve = []
    fits = []
    for backend in backends:
        pts = [(int(last[n, backend]["households"]), last[n, backend]) for n in scale_names if (n, backend) in last]
        for hh, r in pts:
            curve.append([backend, r["instance"], hh, r["dwellings"], r["status"], r["proven_levels"] or "-",
                          r["wall_s"], r["peak_mb"], r["check_ok"] or "-", r["time_limit"]])
        done = [(hh, r) for hh, r in pts if r["status"] in COMPLETED]
        left_out = [f"{r['instance']} ({r['status']})" for hh, r in pts if r["status"] not in COMPLETED]
        capped = [r["instance"] for hh, r in done if r["status"] == "feasible" and is_exact(backend)]
        wall = fit_loglog([hh for hh, _ in done], [float(r["wall_s"]) for _, r in done])
        mem = fit_loglog([hh for hh, _ in done], [float(r["peak_mb"]) for _, r in done])
        note = []
        if capped:
            note.append("not proven optimal within the limit: " + ", ".join(capped))
        if left_out:
            note.append("left out: " + ", ".join(left_out))
        span = f"{min(hh for hh, _ in done):,}–{max(hh for hh, _ in done):,}" if done else "-"
        optimal = [(hh, r) for hh, r in done if r["status"] == "optimal"]
        opt_text = "-"
        if is_exact(backend):
            ow = fit_loglog([hh for hh, _ in optimal], [float(r["wall_s"]) for _, r in optimal])
            om = fit_loglog([hh for hh, _ in optimal], [float(r["peak_mb"]) for _, r in optimal])
            opt_text = (f"a {ow[0]:.2f}, b {om[0]:.2f} over {len(optimal)} runs "
                        f"({min(hh for hh, _ in optimal):,}–{max(hh for hh, _ in optimal):,})" if ow and om
                        else f"n/a ({len(optimal)} optimal run{'s' if len(optimal) != 1 else ''})")
        fits.append([backend, len(done), span,
                     f"{wall[0]:.2f} (R² {wall[1]:.3f})" if wall else "n/a",
                     f"{mem[0]:.2f} (R² {mem[1]:.3f})" if mem else "n/a",
                     opt_text, "; ".join(note) or "-"])
    if fits:
        lines += ["### Fitted exponents (wall_s ∝ households^a, peak_mb ∝ households^b)", ""]
        lines += _table(["backend", "points", "households", "a (wall time)", "b (peak memory)",
                         "only runs proven optimal", "note"], fits)
        lines += ["", "### Runs", ""]
        lines += _table(["backend", "instance", "households", "homes", "status", "proven", "wall_s", "peak_mb",
                         "check_ok", "limit_s"], curve)
    else:
        lines.append("No scale runs yet.")
    lines.append("")
    return "\n".join(lines)


def write_report(csv_path: Path, readme_path: Path) -> None:
    readme_path.write_text(render(read_rows(csv_path)), encoding="utf-8")

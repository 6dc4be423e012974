"""What a planner reads of a sweep: per scenario a figure comparing the policies on the same runs
(overdue person-days per week, the wait from the permit, quota spent), the tables of means and
of every seed, and the targets of issue #13 where the runs allow them.

Everything here works on the rows of a sweep's files (``sweep.csv``, ``sweep_weeks.csv``,
``sweep_housed.csv``), so a report can be drawn again from earlier sweeps, or from several merged
(``matcher sweep-report DIR DIR ... --out OUT``), without running them again.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.exceptions import MatcherError
from matcher.sheets import TRIGGERS
from matcher.simulate.metrics import (
    COUPLING_DAYS,
    NORM_FROM_PERMIT_DAYS,
    gap_closed,
    percentile,
)

POLICY_ORDER = ("greedy", "weekly", "lookahead", "hindsight")
"""Policies in the order every table and plot shows them; others follow in the order met."""

POLICY_STYLE: dict[str, dict[str, Any]] = {
    "greedy": {"color": "tab:red"},
    "weekly": {"color": "tab:blue"},
    "lookahead": {"color": "tab:green"},
    "hindsight": {"color": "black", "linestyle": "--"},
}

CONFIG_KEYS = ("region", "scenario", "seed", "weeks", "supply", "answer_share", "arrivals", "refusal_rate",
               "max_km", "max_minutes", "offer_weeks")
"""What makes two runs the same arrivals and homes: rows that agree on these are compared."""

TIMING_COLUMNS = frozenset({"solve_s", "solve_s_total", "solve_s_max", "wall_s"})
RECOMPUTED_COLUMNS = frozenset({"gap_closed_share"})

HINDSIGHT_SKIPPED_NOTE = ("No hindsight where `answer_share` > 0: homes that answer coupling depend on whom a "
                          "policy couples where, and the hindsight plans over the homes as drawn, so it is exact "
                          "only at `answer_share` 0 and is not run above it (`docs/simulation.md`). Those "
                          "scenarios have no share of the greedy→hindsight gap; compare the policies with each "
                          "other there.")


@dataclass
class SweepData:
    """The rows of one sweep's files, or of several merged: ``runs`` (``sweep.csv``), ``weeks``
    (``sweep_weeks.csv``) and ``housed`` (``sweep_housed.csv``), with the commands and code
    versions that made them."""

    runs: list[dict[str, Any]]
    weeks: list[dict[str, Any]] = field(default_factory=list)
    housed: list[dict[str, Any]] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def run_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """Region, scenario, seed and policy: one run of a sweep."""
    return (row.get("region"), row["scenario"], int(row["seed"]), row["policy"])


def from_results(results: Sequence[Any], command: str | None = None, code: str | None = None) -> SweepData:
    """The rows of :class:`~matcher.simulate.run.SimResult` s, as ``write_sweep`` writes them."""
    from matcher.simulate.report import run_row

    runs = [run_row(r) for r in results]
    weeks = [{"region": r.config.source, "scenario": r.config.scenario, "policy": r.config.policy,
              "seed": r.config.seed, **w.as_row()} for r in results for w in r.weeks]
    housed = [{"region": r.config.source, "scenario": r.config.scenario, "policy": r.config.policy,
               "seed": r.config.seed, "household_id": h.household_id, "size": h.size, "kind": h.kind,
               "week": h.week, "arrival_week": h.arrival_week, "wait_from_permit_days": h.wait_from_permit_days,
               "wait_from_coupling_days": h.wait_days}
              for r in results for h in r.housed]
    data = SweepData(runs, weeks, housed, [command] if command else [], [code] if code else [])
    fill_gaps(data.runs)
    return data


# --- reading and merging ------------------------------------------------------------------------------

def _value(text: str) -> Any:
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


TEXT_COLUMNS = frozenset({"region", "scenario", "policy", "household_id", "kind", "status", "statuses", "as_of"})


def _cell(text: str) -> str:
    # Text a spreadsheet would run was written with a leading apostrophe (matcher.sheets).
    return text[1:] if text.startswith("'") and text[1:].startswith(TRIGGERS) else text


def _read_csv(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = [{k: _cell(v) if k in TEXT_COLUMNS else _value(_cell(v)) for k, v in row.items()}
                for row in csv.DictReader(f)]
    for row in rows:
        if "seed" in row:
            row["seed"] = int(row["seed"])
    return rows


def read_sweep(folder: Path) -> SweepData:
    """The rows of the sweep in ``folder``: its ``sweep.csv`` (required), ``sweep_weeks.csv`` and
    ``sweep_housed.csv`` (older sweeps have no ``sweep_housed.csv``: no wait distribution then),
    and the command and code named in its ``report.md``."""
    folder = Path(folder)
    runs_csv = folder / "sweep.csv"
    if not runs_csv.is_file():
        raise MatcherError(f"{folder}: no sweep.csv (not the --out folder of `matcher sweep`?)")
    runs = _read_csv(runs_csv)
    if not runs:
        raise MatcherError(f"{runs_csv}: no runs")
    missing = [k for k in ("region", "scenario", "policy", "seed", "overdue_person_days_from_permit") if k not in runs[0]]
    if missing:
        raise MatcherError(f"{runs_csv}: column {missing[0]!r} is missing")
    regions = {r["region"] for r in runs}
    weeks = _read_csv(folder / "sweep_weeks.csv") if (folder / "sweep_weeks.csv").is_file() else []
    housed = _read_csv(folder / "sweep_housed.csv") if (folder / "sweep_housed.csv").is_file() else []
    for row in [*weeks, *housed]:
        if row.get("region") is None:  # sweeps of before named no region in these files: one region each
            if len(regions) != 1:
                raise MatcherError(f"{folder}: sweep_weeks.csv has no region column and sweep.csv has several")
            row["region"] = next(iter(regions))
    commands, codes = [], []
    report = folder / "report.md"
    if report.is_file():
        text = report.read_text(encoding="utf-8")
        commands = [m.strip() for m in re.findall(r"```sh\n(.*?)\n```", text, flags=re.DOTALL)]
        codes = sorted(set(re.findall(r"[Cc]ode ([0-9a-f]{7,40}(?:-dirty)?|unknown)", text)))
    return SweepData(runs, weeks, housed, commands, codes)


def _same(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return [k for k in a if k not in TIMING_COLUMNS | RECOMPUTED_COLUMNS and k in b and a[k] != b[k]]


def _differences(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[str]:
    if len(a) != len(b):
        return ["number of rows"]
    return list(dict.fromkeys(k for x, y in zip(a, b) for k in _same(x, y)))


def merge(parts: Sequence[tuple[str, SweepData]]) -> SweepData:
    """The runs of several sweeps in one: a run (region, scenario, seed, policy) met twice is kept
    once if its numbers agree, timing aside (its row, its weeks and its households housed), and is
    an error naming both folders if not; so merging also checks that two sweeps (serial and on
    Dask, or at two commits) gave the same numbers."""
    out = SweepData([])
    seen: dict[tuple[Any, ...], tuple[str, dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for name, data in parts:
        keep = set()
        weeks, housed = _by_run(data.weeks), _by_run(data.housed)
        for row in data.runs:
            key = run_key(row)
            if key in seen:
                first, other, other_weeks, other_housed = seen[key]
                differ = _same(other, row)
                if not differ and data.weeks and other_weeks:
                    differ = [f"week {k}" for k in _differences(other_weeks, weeks.get(key, []))]
                if not differ and data.housed and other_housed:
                    differ = [f"housed {k}" for k in _differences(other_housed, housed.get(key, []))]
                if differ:
                    raise MatcherError(f"run {key[0]} {key[1]} seed {key[2]} {key[3]} is in {first} and {name} with "
                                       f"different numbers ({', '.join(differ[:3])}): not the same code or config")
                continue
            seen[key] = (name, row, weeks.get(key, []), housed.get(key, []))
            keep.add(key)
            out.runs.append(row)
        out.weeks += [w for w in data.weeks if run_key(w) in keep]
        out.housed += [h for h in data.housed if run_key(h) in keep]
        out.commands += [c for c in data.commands if c not in out.commands]
        out.codes += [c for c in data.codes if c not in out.codes]
    fill_gaps(out.runs)
    return out


def fill_gaps(runs: list[dict[str, Any]]) -> None:
    """Set each row's ``gap_closed_share``: its share of the greedy→hindsight gap in overdue
    person-days from the permit against the greedy and hindsight rows of the same config
    (:data:`CONFIG_KEYS`), ``None`` where either is missing."""
    def config(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(row.get(k) for k in CONFIG_KEYS)

    headline = {(config(r), r["policy"]): r["overdue_person_days_from_permit"] for r in runs}
    for row in runs:
        greedy, hindsight = headline.get((config(row), "greedy")), headline.get((config(row), "hindsight"))
        row["gap_closed_share"] = (None if greedy is None or hindsight is None
                                   else gap_closed(greedy, row["overdue_person_days_from_permit"], hindsight))


# --- grouping -----------------------------------------------------------------------------------------

def policies_of(rows: Iterable[dict[str, Any]]) -> list[str]:
    found = list(dict.fromkeys(r["policy"] for r in rows))
    return [p for p in POLICY_ORDER if p in found] + [p for p in found if p not in POLICY_ORDER]


def scenarios_of(data: SweepData) -> list[tuple[str, str]]:
    """(region, scenario) in the order met."""
    return list(dict.fromkeys((r["region"], r["scenario"]) for r in data.runs))


def _by_run(rows: Iterable[dict[str, Any]]) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    out: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(run_key(row), []).append(row)
    return out


def slug(text: str) -> str:
    """A file name for a region and scenario: ``hart-van-brabant--answer_share-0.3-supply-0.32``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


# --- the figure per scenario ------------------------------------------------------------------------

def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def plot_scenario(data: SweepData, region: str, scenario: str, path: Path) -> Path:
    """One figure for one region and scenario, the policies on the same runs (means over the seeds):
    overdue person-days from the permit accrued each week (the band: lowest to highest seed), the
    distribution of the wait from the permit of those housed (all seeds pooled; p90 marked), and
    quota spent: persons coupled since the first Monday, cumulative, against the quota there was
    for new couplings."""
    from matcher.simulate.report import _pyplot, _save

    plt = _pyplot()
    runs = [r for r in data.runs if r["region"] == region and r["scenario"] == scenario]
    weeks = _by_run(w for w in data.weeks if w["region"] == region and w["scenario"] == scenario)
    housed = _by_run(h for h in data.housed if h["region"] == region and h["scenario"] == scenario)
    policies = policies_of(runs)
    seeds = sorted({r["seed"] for r in runs})
    fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(8.5, 12))
    quota_lines: dict[str, tuple[list[int], list[float]]] = {}
    for policy in policies:
        style = POLICY_STYLE.get(policy, {})
        series = [sorted(weeks.get((region, scenario, s, policy), []), key=lambda w: w["week"]) for s in seeds]
        series = [s for s in series if s]
        if series:
            n = min(len(s) for s in series)
            x = [series[0][i]["week"] for i in range(n)]
            accrued = [[s[i]["overdue_accrued_from_permit"] for s in series] for i in range(n)]
            line, = top.plot(x, [_mean(a) for a in accrued], label=policy, linewidth=1.8, **style)
            if len(series) > 1:
                top.fill_between(x, [min(a) for a in accrued], [max(a) for a in accrued], color=line.get_color(),
                                 alpha=0.12, linewidth=0)
            spent = [[sum(w["coupled_persons"] for w in s[:i + 1]) for s in series] for i in range(n)]
            bottom.plot(x, [_mean(v) for v in spent], label=policy, linewidth=1.8, **style)
            if all(s[0].get("quota_left_persons") is not None for s in series):
                quota_lines[policy] = (x, [_mean([sp + s[i]["quota_left_persons"] for sp, s in zip(spent[i], series)])
                                           for i in range(n)])
        waits = sorted(h["wait_from_permit_days"] for s in seeds for h in housed.get((region, scenario, s, policy), []))
        if waits:
            p90 = percentile(waits, 90)
            line, = middle.step(waits, [(i + 1) / len(waits) for i in range(len(waits))], where="post",
                                linewidth=1.8, label=f"{policy} (p90 {p90:.0f} d, max {waits[-1]} d)", **style)
            middle.axvline(p90, color=line.get_color(), linestyle=":", linewidth=1.2)
    if quota_lines:
        same = len({(tuple(x), tuple(v)) for x, v in quota_lines.values()}) == 1
        for policy, (x, values) in quota_lines.items():
            color = "grey" if same else POLICY_STYLE.get(policy, {}).get("color")
            bottom.plot(x, values, color=color, linestyle=":", linewidth=1.4,
                        label=("quotum voor nieuwe koppelingen / quota for new couplings" if same
                               else f"{policy}: quotum / quota"))
            if same:
                break
    top.set_title(f"{region}, {scenario}: {len(seeds)} seed{'s' if len(seeds) != 1 else ''} "
                  f"({', '.join(map(str, seeds))})\nlijn: gemiddelde / line: mean"
                  + ("; band: laagste–hoogste seed / lowest–highest seed" if len(seeds) > 1 else ""),
                  fontsize="medium")
    top.set_ylabel("Achterstand (persoonsdagen per week)\noverdue person-days per week\n(past permit + 98 d)")
    top.set_xlabel("week")
    top.legend(fontsize="small")
    middle.axvline(NORM_FROM_PERMIT_DAYS, color="grey", linestyle="--", linewidth=1)
    middle.text(NORM_FROM_PERMIT_DAYS + 3, 0.03, "norm 98 d", color="grey")
    middle.set_xlabel("Wachttijd van vergunning tot huisvesting (dagen) / wait from the permit to housing (days)")
    middle.set_ylabel("Aandeel gehuisvest binnen x dagen\nshare of the housed within x days")
    middle.set_ylim(0, 1)
    if middle.lines[1:]:
        middle.legend(fontsize="small", loc="lower right", title="stippellijn: p90 / dotted: p90 (seeds samen / pooled)",
                      title_fontsize="small")
    else:
        middle.text(0.5, 0.5, "geen sweep_housed.csv / no per-household waits", ha="center", transform=middle.transAxes)
    bottom.set_ylabel("Quotum besteed (personen gekoppeld, cumulatief)\nquota spent (persons coupled, cumulative)")
    bottom.set_xlabel("week")
    bottom.set_ylim(bottom=0)
    bottom.legend(fontsize="small")
    for ax in (top, bottom):
        ax.xaxis.get_major_locator().set_params(integer=True)
    return _save(fig, plt, path)


# --- tables -------------------------------------------------------------------------------------------

def _f(value: Any, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _p(value: Any) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def seed_table(data: SweepData, region: str, scenario: str) -> list[str]:
    """Per seed, every policy's overdue person-days from the permit, the share of the gap closed,
    persons housed, p90 / max wait from the permit and persons coupled within 14 days."""
    runs = {(r["seed"], r["policy"]): r for r in data.runs if r["region"] == region and r["scenario"] == scenario}
    policies = policies_of(r for r in data.runs if r["region"] == region and r["scenario"] == scenario)
    seeds = sorted({s for s, _ in runs})
    lines = ["| seed | " + " | ".join(f"{p} overdue p-d" for p in policies)
             + " | " + " | ".join(f"{p} gap" for p in policies if p not in ("greedy", "hindsight"))
             + " | persons housed (" + " / ".join(policies) + ") | wait from permit p90/max (" + " · ".join(policies)
             + ") | coupled ≤ 14 d, persons (" + " / ".join(policies) + ") |",
             "|---:|" + "---:|" * (len(policies) + sum(p not in ("greedy", "hindsight") for p in policies)) + "---|---|---|"]
    for seed in seeds:
        row = [runs.get((seed, p)) for p in policies]
        cells = [_f(r["overdue_person_days_from_permit"]) if r else "–" for r in row]
        cells += [_p(r["gap_closed_share"]) if r else "–"
                  for p, r in zip(policies, row) if p not in ("greedy", "hindsight")]
        cells.append(" / ".join(str(r["housed_persons"]) if r else "–" for r in row))
        cells.append(" · ".join(f"{_f(r['wait_from_permit_p90'])}/{_f(r['wait_from_permit_max'])}" if r else "–"
                                for r in row))
        cells.append(" / ".join(str(r["coupled_in_time_persons"]) if r else "–" for r in row))
        lines.append(f"| {seed} | " + " | ".join(cells) + " |")
    means = [[runs[(s, p)] for s in seeds if (s, p) in runs] for p in policies]
    cells = [_f(_mean([r["overdue_person_days_from_permit"] for r in m])) if m else "–" for m in means]
    for p, m in zip(policies, means):
        if p in ("greedy", "hindsight"):
            continue
        gaps = [r["gap_closed_share"] for r in m if r["gap_closed_share"] is not None]
        cells.append(f"{_p(_mean(gaps))} (min {_p(min(gaps))})" if gaps else "–")
    cells.append(" / ".join(_f(_mean([r["housed_persons"] for r in m])) if m else "–" for m in means))
    cells.append(" · ".join(f"{_f(_mean([r['wait_from_permit_p90'] for r in m]))}/"
                            f"{_f(_mean([r['wait_from_permit_max'] for r in m]))}" if m else "–" for m in means))
    cells.append(" / ".join(_f(_mean([r["coupled_in_time_persons"] for r in m])) if m else "–" for m in means))
    lines.append("| **mean** | " + " | ".join(cells) + " |")
    return lines


TARGET_GAP_MEAN, TARGET_GAP_MIN = 0.80, 0.60
"""Issue #13: lookahead closes at least 80% of the greedy→hindsight gap on average, 60% on every seed."""


def target_checks(data: SweepData, region: str, scenario: str, policy: str = "lookahead") -> list[str] | None:
    """The targets of issue #13 for ``policy`` on one region and scenario, each met or not, with the
    seeds where it fails; ``None`` when greedy, weekly, the policy or the hindsight is missing."""
    runs = {(r["seed"], r["policy"]): r for r in data.runs if r["region"] == region and r["scenario"] == scenario}
    seeds = sorted({s for s, p in runs if all((s, q) in runs for q in ("greedy", "weekly", policy, "hindsight"))})
    if not seeds:
        return None

    def failing(test: Any) -> list[int]:
        return [s for s in seeds if not test(runs[(s, policy)], runs[(s, "greedy")], runs[(s, "weekly")])]

    known = [runs[(s, policy)]["gap_closed_share"] for s in seeds if runs[(s, policy)]["gap_closed_share"] is not None]
    mean_gap = _mean(known) if known else None
    low = failing(lambda r, g, w: r["gap_closed_share"] is not None and r["gap_closed_share"] >= TARGET_GAP_MIN)
    checks = [
        (f"closes ≥ {TARGET_GAP_MEAN:.0%} of the gap on average", mean_gap is not None and mean_gap >= TARGET_GAP_MEAN,
         f"mean {_p(mean_gap)}", []),
        (f"closes ≥ {TARGET_GAP_MIN:.0%} of the gap on every seed", not low,
         f"min {_p(min(known) if known else None)}", low),
    ]
    for name, test in (
        ("persons housed ≥ weekly's", lambda r, g, w: r["housed_persons"] >= w["housed_persons"]),
        ("p90 wait from the permit ≤ greedy's", lambda r, g, w: r["wait_from_permit_p90"] <= g["wait_from_permit_p90"]),
        ("max wait from the permit ≤ greedy's", lambda r, g, w: r["wait_from_permit_max"] <= g["wait_from_permit_max"]),
        (f"persons coupled within {COUPLING_DAYS} days ≥ weekly's",
         lambda r, g, w: r["coupled_in_time_persons"] >= w["coupled_in_time_persons"]),
    ):
        failed = failing(test)
        checks.append((name, not failed, f"{len(seeds) - len(failed)} of {len(seeds)} seeds", failed))
    lines = [f"| target ({policy}, {region}, {scenario}, {len(seeds)} seeds) | met? | |", "|---|---|---|"]
    for name, ok, figure, failed in checks:
        where = f"fails on seed{'s' if len(failed) != 1 else ''} {', '.join(map(str, failed))}" if failed else ""
        lines.append(f"| {name} | {'**met**' if ok else '**not met**'} | {'; '.join(x for x in (figure, where) if x)} |")
    return lines


def means_table(data: SweepData) -> list[str]:
    """Means over the seeds, one row per region, scenario and policy."""
    lines = [("| region | scenario | policy | runs | overdue person-days from permit | gap closed (mean, min over seeds) "
              "| persons housed | wait from permit mean | p90 | max | housed ≤ 98 d | coupled ≤ 14 d (persons) "
              "| overdue p-d from coupling | person-moves | municipalities met | solve s (total) |"),
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for region, scenario in scenarios_of(data):
        rows = [r for r in data.runs if r["region"] == region and r["scenario"] == scenario]
        for policy in policies_of(rows):
            m = [r for r in rows if r["policy"] == policy]

            def avg(key: str, m: list[dict[str, Any]] = m) -> float | None:
                values = [r[key] for r in m if r.get(key) is not None]
                return _mean(values) if values else None

            gaps = [r["gap_closed_share"] for r in m if r["gap_closed_share"] is not None]
            gap = f"{_p(_mean(gaps))} ({_p(min(gaps))})" if gaps else "–"
            lines.append(f"| {region} | {scenario} | {policy} | {len(m)} | {_f(avg('overdue_person_days_from_permit'))} "
                         f"| {gap} | {_f(avg('housed_persons'))} | {_f(avg('wait_from_permit_mean'), 1)} "
                         f"| {_f(avg('wait_from_permit_p90'), 1)} | {_f(avg('wait_from_permit_max'), 1)} "
                         f"| {_p(avg('housed_within_norm_share'))} "
                         f"| {_p(avg('coupled_in_time_share'))} ({_f(avg('coupled_in_time_persons'))}) "
                         f"| {_f(avg('overdue_person_days_from_coupling'))} | {_f(avg('person_moves'))} "
                         f"| {_p(avg('municipalities_met_share'))} | {_f(avg('solve_s_total'), 1)} |")
    return lines


def markdown(data: SweepData, images: dict[tuple[str, str], str], title: str | None = None,
             skipped_hindsight: bool = False, extra_images: Sequence[str] = ()) -> str:
    """The report: commands, means, per scenario the per-seed table, the targets where they apply
    and the figure."""
    from matcher.simulate.report import GAP_NOTE, HINDSIGHT14_NOTE, HINDSIGHT_NOTE, HINDSIGHT_RULE_NOTE, NO_GAP_NOTE

    regions = list(dict.fromkeys(r["region"] for r in data.runs))
    seeds = sorted({r["seed"] for r in data.runs})
    weeks = sorted({r["weeks"] for r in data.runs})
    lines = [title or f"# Sweep: {', '.join(regions)}, {'/'.join(map(str, weeks))} weeks, "
                      f"seeds {', '.join(map(str, seeds))}", ""]
    for command in data.commands:
        lines += ["```sh", command, "```", ""]
    lines += [(f"Code {', '.join(data.codes) or 'unknown'}. Overdue person-days and waits count from the permit "
               "(norm: permit + 98 days); the coupling-based figure of before is beside them. Means over the seeds "
               "below; every run is a row of `sweep.csv`. Definitions: `docs/simulation.md`."), "",
              *means_table(data), ""]
    lines += [f"![{Path(i).stem}]({i})\n" for i in extra_images]
    gaps = any(r["gap_closed_share"] is not None for r in data.runs)
    lines += [GAP_NOTE if gaps else NO_GAP_NOTE, ""]
    if any(r["policy"] == "hindsight" for r in data.runs):
        lines += [HINDSIGHT_NOTE, ""]
    if any(r["policy"] == "hindsight14" for r in data.runs):
        lines += [HINDSIGHT14_NOTE, ""]
    if any(r["policy"] == "hindsight-rule" for r in data.runs):
        lines += [HINDSIGHT_RULE_NOTE, ""]
    if skipped_hindsight or (any(r["policy"] == "hindsight" for r in data.runs)
                             and any((r.get("answer_share") or 0) > 0 for r in data.runs)):
        lines += [HINDSIGHT_SKIPPED_NOTE, ""]
    for region, scenario in scenarios_of(data):
        lines += [f"## {region}, {scenario}", "", *seed_table(data, region, scenario), ""]
        checks = target_checks(data, region, scenario)
        if checks:
            lines += ["Targets of issue #13:", "", *checks, ""]
        if (region, scenario) in images:
            lines += [f"![{region}, {scenario}]({images[(region, scenario)]})", ""]
    return "\n".join(lines)


def write_csvs(data: SweepData, folder: Path) -> list[Path]:
    from matcher.simulate.report import _write_csv

    return [_write_csv(folder / "sweep.csv", data.runs), _write_csv(folder / "sweep_weeks.csv", data.weeks),
            _write_csv(folder / "sweep_housed.csv", data.housed)]


def write_report(data: SweepData, folder: Path, plots: bool = True, title: str | None = None,
                 skipped_hindsight: bool = False, extra_images: Sequence[str] = ()) -> list[Path]:
    """``plots/REGION--SCENARIO.png`` per region and scenario (:func:`plot_scenario`) and ``report.md``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    images: dict[tuple[str, str], str] = {}
    if plots:
        for region, scenario in scenarios_of(data):
            name = f"plots/{slug(region)}--{slug(scenario)}.png"
            paths.append(plot_scenario(data, region, scenario, folder / name))
            images[(region, scenario)] = name
    report = folder / "report.md"
    report.write_text(markdown(data, images, title, skipped_hindsight, extra_images) + "\n", encoding="utf-8")
    paths.append(report)
    return paths

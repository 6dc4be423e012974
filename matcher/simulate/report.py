"""What a planner reads: CSV of every figure, PNG plots and a markdown report.

matplotlib is imported only when plots are drawn, so the rest of matcher does not load it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matcher import sheets
from matcher.simulate.metrics import NORM_FROM_PERMIT_DAYS, gap_closed
from matcher.simulate.run import SimResult

RUN_COLUMNS: tuple[str, ...] = (
    "region", "scenario", "policy", "seed", "weeks", "supply", "answer_share", "arrivals", "refusal_rate", "max_km",
    "max_minutes",
    "arrived_households", "housed_households", "housed_persons", "housed_in_temporary_persons",
    "onward_moves_households", "onward_moves_persons", "temporary_days_mean", "temporary_days_max",
    "waiting_persons_end",
    "overdue_person_days_from_permit", "gap_closed_share", "overdue_person_days_end_from_permit",
    "wait_from_permit_mean", "wait_from_permit_median", "wait_from_permit_p90", "wait_from_permit_max",
    "wait_from_permit_new_arrivals_mean", "wait_from_permit_still_running_mean", "housed_within_norm_share",
    "coupling_due_persons", "coupled_in_time_persons", "coupled_in_time_share", "coupling_late_person_days",
    "overdue_person_days_from_coupling", "overdue_person_days_end_from_coupling",
    "wait_from_coupling_mean", "wait_from_coupling_median", "wait_from_coupling_p90", "wait_from_coupling_max",
    "wait_from_coupling_new_arrivals_mean", "wait_from_coupling_still_running_mean",
    "housed_within_norm_share_from_coupling",
    "person_moves", "refusals", "homes_offered", "homes_answering", "coupled_within_50km_share",
    "municipalities_met_share", "provinces_met_share",
    "realised_over_obligation", "solve_s_total", "solve_s_max", "statuses", "wall_s",
)
"""One row per run in ``runs.csv`` / ``sweep.csv``."""


def run_row(result: SimResult, gap: float | None = None) -> dict[str, Any]:
    """The run's figures flattened to one CSV row (quota of the last period); ``gap`` is its share
    of the greedy→hindsight gap closed (:func:`gap_shares`), empty when not known."""
    c, s = result.config, result.summary
    last = s["quota"][max(s["quota"], key=int)] if s["quota"] else {}
    row: dict[str, Any] = {
        "region": c.source, "scenario": c.scenario, "policy": c.policy, "seed": c.seed, "weeks": c.weeks,
        "supply": c.supply, "answer_share": c.answer_share, "arrivals": c.arrivals, "refusal_rate": c.refusal_rate,
        "max_km": c.max_km,
        "max_minutes": c.max_minutes,
        "gap_closed_share": gap,
        "statuses": " ".join(f"{k}:{v}" for k, v in s["statuses"].items()),
        "wall_s": round(result.wall_s, 2),
        **last,
    }
    for origin in ("permit", "coupling"):
        for part in ("", "_new_arrivals", "_still_running"):
            for k, v in s[f"wait_from_{origin}{part}"].items():
                row[f"wait_from_{origin}{part}_{k}"] = v
    for key in RUN_COLUMNS:
        if key not in row:
            row[key] = s.get(key)
    return {k: row[k] for k in RUN_COLUMNS}


HEADLINE = "overdue_person_days_from_permit"
"""The figure the greedy→hindsight gap is measured in."""


def gap_shares(results: Sequence[SimResult]) -> list[float | None]:
    """Per run, the share of the greedy→hindsight gap in overdue person-days from the permit it
    closes, against the ``greedy`` and ``hindsight`` runs of the same region, scenario, seed and
    weeks; ``None`` when either is missing (or there is no gap)."""
    def key(r: SimResult) -> tuple[Any, ...]:
        c = r.config
        return (c.source, c.scenario, c.seed, c.weeks, c.supply, c.arrivals, c.refusal_rate, c.max_km,
                c.max_minutes, c.offer_weeks)

    by = {(key(r), r.config.policy): r.summary[HEADLINE] for r in results}
    out: list[float | None] = []
    for r in results:
        greedy, hindsight = by.get((key(r), "greedy")), by.get((key(r), "hindsight"))
        out.append(None if greedy is None or hindsight is None else gap_closed(greedy, r.summary[HEADLINE], hindsight))
    return out


GAP_NOTE = ("Share of the gap: (greedy − policy) / (greedy − hindsight) in overdue person-days from the permit, "
            "on the same arrivals; greedy 0%, the hindsight optimum 100%.")
HINDSIGHT_NOTE = ("`hindsight` is the offline optimum of the run (it knows every permit, home and refusal draw): "
                  "a bound on the overdue person-days from the permit, not a policy; it couples only with a home, so "
                  "its figures for coupling within 14 days are no benchmark (`docs/simulation.md`).")
HINDSIGHT14_NOTE = ("`hindsight14` is the hindsight optimum that also keeps COA's 14-day obligation as the "
                    "look-ahead policy does: the most persons coupled within 14 days of the permit that quota and "
                    "range allow, each housed only where it is coupled; a bound for policies that couple as many in "
                    "time, beside the gap measure, not in its place (`docs/simulation.md`).")
HINDSIGHT_RULE_NOTE = ("`hindsight-rule` is the hindsight optimum that keeps COA's 14-day obligation as the rule "
                       "`lookahead` keeps: no household due for coupling waits while a municipality in its range has "
                       "quota for it; a bound for every policy that keeps that rule, beside the gap measure, not in "
                       "its place (`docs/simulation.md`).")
NO_GAP_NOTE = ("No share of the greedy→hindsight gap: it needs both `greedy` and `hindsight` in the run "
               "(`--policy greedy,...,hindsight`).")


def label(result: SimResult, results: Sequence[SimResult]) -> str:
    """The shortest name that tells ``result`` apart from the others in ``results``."""
    parts = []
    for attr in ("scenario", "policy", "seed"):
        if len({getattr(r.config, attr) for r in results}) > 1:
            parts.append(str(getattr(result.config, attr)) if attr != "seed" else f"seed {result.config.seed}")
    return " ".join(parts) or result.config.policy


def code_version() -> str:
    """``git rev-parse --short HEAD`` of the matcher source, ``-dirty`` with uncommitted changes,
    or ``unknown`` outside a git checkout: weekly results depend on the solver version."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "matcher"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def _write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        if rows:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(sheets.row(r) for r in rows)
    return path


def write_run(result: SimResult, folder: Path) -> list[Path]:
    """``weeks.csv``, ``housed.csv``, ``quota.csv`` and ``run.json`` of one run."""
    folder.mkdir(parents=True, exist_ok=True)
    names = result.extra.get("municipalities", {})
    paths = [
        _write_csv(folder / "weeks.csv", [w.as_row() for w in result.weeks]),
        _write_csv(folder / "housed.csv", [
            {"household_id": r.household_id, "size": r.size, "amv": int(r.amv), "municipality": r.municipality,
             "kind": r.kind, "permit_date": r.permit_date.isoformat(), "coupling_date": r.coupling_date.isoformat(),
             "housed_date": r.housed_date.isoformat(), "wait_from_permit_days": r.wait_from_permit_days,
             "wait_from_coupling_days": r.wait_days, "week": r.week, "arrival_week": r.arrival_week}
            for r in result.housed]),
        _write_csv(folder / "quota.csv", [
            {"period": p.period, "municipality": p.code, "name": names.get(p.code, ("", ""))[0], "province": p.province,
             "taakstelling": p.taakstelling, "obligation": p.obligation, "realised": p.realised, "met": int(p.met)}
            for p in result.periods]),
    ]
    run_json = folder / "run.json"
    run_json.write_text(json.dumps({"config": result.config.as_dict(), "code": code_version(),
                                    "wall_s": round(result.wall_s, 2),
                                    "summary": result.summary,
                                    **({"policy": result.extra["policy"]} if "policy" in result.extra else {}),
                                    **({"reunification": result.extra["reunification"]}
                                       if "reunification" in result.extra else {})},
                                   indent=2) + "\n", encoding="utf-8")
    return [*paths, run_json]


# --- plots ------------------------------------------------------------------------------------------

def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_waits(results: Sequence[SimResult], path: Path) -> Path:
    """Histogram of the wait from the permit to housing, one outline per run (policy)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    top = max((r.wait_from_permit_days for res in results for r in res.housed), default=1)
    bins = list(range(0, top + 15, 14))
    for res in results:
        waits = [r.wait_from_permit_days for r in res.housed]
        mean = sum(waits) / len(waits) if waits else 0
        ax.hist(waits, bins=bins, histtype="step", linewidth=1.8, label=f"{label(res, results)} (gem. / mean {mean:.0f} d)")
    ax.axvline(NORM_FROM_PERMIT_DAYS, color="grey", linestyle="--", linewidth=1)
    ax.text(NORM_FROM_PERMIT_DAYS + 2, ax.get_ylim()[1] * 0.95, "norm 14 weken / 14-week norm", color="grey", va="top")
    ax.set_xlabel("dagen van vergunning tot huisvesting / days from permit to housing (per 2 weken / bins of 2 weeks)")
    ax.set_ylabel("huishoudens gehuisvest / households housed")
    ax.set_title(f"Wachttijd vanaf vergunning / wait from the permit to housing, {results[0].config.source}, "
                 f"{results[0].config.weeks} weken / weeks")
    ax.legend()
    return _save(fig, plt, path)


def plot_backlog(results: Sequence[SimResult], path: Path) -> Path:
    """Persons waiting (coupled and not) and overdue person-days, week by week."""
    plt = _pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    for res in results:
        weeks = [w.week for w in res.weeks]
        line, = top.plot(weeks, [w.waiting_coupled_persons for w in res.weeks], label=f"{label(res, results)}: gekoppeld / coupled")
        top.plot(weeks, [w.waiting_uncoupled_persons for w in res.weeks], linestyle=":", color=line.get_color(),
                 label=f"{label(res, results)}: nog niet gekoppeld / not yet coupled")
        bottom.plot(weeks, [w.overdue_person_days_from_permit for w in res.weeks], color=line.get_color(),
                    label=label(res, results))
    top.set_ylabel("wachtende personen\npersons waiting")
    top.legend(fontsize="small")
    bottom.set_ylabel("achterstand (persoonsdagen, stand)\noverdue person-days, stock\n(past permit + 98 days)")
    bottom.set_xlabel("week")
    top.set_title(f"Achterstand per week / weekly backlog, {results[0].config.source}")
    return _save(fig, plt, path)


def plot_quota(results: Sequence[SimResult], path: Path) -> Path:
    """Realised over obligation in the last period, per municipality (or per province when there
    are more than 40 municipalities)."""
    plt = _pyplot()
    last = max(p.period for p in results[0].periods)
    by_province = len({p.code for p in results[0].periods}) > 40
    fig, ax = plt.subplots(figsize=(9, 4.8))
    width = 0.8 / len(results)
    keys: list[str] = []
    for i, res in enumerate(results):
        owed: dict[str, list[int]] = {}
        names = res.extra.get("municipalities", {})
        for p in res.periods:
            if p.period != last or p.taakstelling <= 0:
                continue
            key = p.province if by_province else names.get(p.code, (p.code, ""))[0]
            o = owed.setdefault(key, [0, 0])
            o[0] += p.obligation
            o[1] += p.realised
        keys = sorted(owed)
        shares = [owed[k][1] / owed[k][0] if owed[k][0] > 0 else 1.0 for k in keys]
        ax.bar([j + i * width for j in range(len(keys))], shares, width=width, label=label(res, results))
    ax.axhline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(keys))])
    ax.set_xticklabels(keys, rotation=60, ha="right", fontsize="small")
    ax.set_ylabel("gerealiseerd / opgave\nrealised / obligation")
    ax.set_title(f"Taakstelling gehaald per {'provincie' if by_province else 'gemeente'} / quota attainment per "
                 f"{'province' if by_province else 'municipality'}, periode / period {last}")
    ax.legend(fontsize="small")
    return _save(fig, plt, path)


def _save(fig: Any, plt: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def write_plots(results: Sequence[SimResult], folder: Path) -> list[Path]:
    """``overview.png``, the policies side by side as in a sweep's figure per scenario (overdue
    person-days per week, the wait from the permit with its p90, quota spent:
    :func:`matcher.simulate.sweep_report.plot_scenario`), and the PNGs of :func:`plot_waits`,
    :func:`plot_backlog` and :func:`plot_quota`."""
    from matcher.simulate.sweep_report import from_results, plot_scenario

    c = results[0].config
    return [plot_scenario(from_results(results), c.source, c.scenario, folder / "overview.png"),
            plot_waits(results, folder / "waits.png"), plot_backlog(results, folder / "backlog.png"),
            plot_quota(results, folder / "quota.png")]


# --- markdown ---------------------------------------------------------------------------------------

def _stats(key: str) -> Any:
    return lambda s: "{} / {} / {} / {}".format(*[_n(s[key][k]) for k in ("mean", "median", "p90", "max")])


_TABLE = (
    ("**overdue person-days from the permit** (past permit + 98 days, accrued in the run)",
     lambda s: f"**{s['overdue_person_days_from_permit']:,}**"),
    ("wait from the permit, mean / median / p90 / max (days)", _stats("wait_from_permit")),
    ("wait from the permit of new arrivals, mean (days)", lambda s: _n(s["wait_from_permit_new_arrivals"]["mean"])),
    ("still waiting at the end, mean days since the permit", lambda s: _n(s["wait_from_permit_still_running"]["mean"])),
    ("housed within 98 days of the permit", lambda s: _pct(s["housed_within_norm_share"])),
    ("households housed (persons)", lambda s: f"{s['housed_households']} ({s['housed_persons']})"),
    ("persons housed in temporary homes", lambda s: str(s["housed_in_temporary_persons"])),
    ("onward moves from temporary homes, households (persons)",
     lambda s: f"{s['onward_moves_households']} ({s['onward_moves_persons']})"),
    ("days in a temporary home, mean / max (to the onward move, or the end)",
     lambda s: f"{_n(s['temporary_days_mean'])} / {_n(s['temporary_days_max'])}"),
    ("households still in a temporary home at the end; stays past the year [003:74]",
     lambda s: f"{s['in_temporary_households_end']}; {s['temporary_past_year_households']}"),
    ("persons waiting at the end", lambda s: str(s["waiting_persons_end"])),
    ("overdue person-days from the permit still open at the end", lambda s: f"{s['overdue_person_days_end_from_permit']:,}"),
    ("coupled within 14 days of the permit (persons due in the run)",
     lambda s: f"{_pct(s['coupled_in_time_share'])} ({s['coupled_in_time_persons']} of {s['coupling_due_persons']})"),
    ("person-days not coupled past the 14 days", lambda s: f"{s['coupling_late_person_days']:,}"),
    ("overdue person-days from the coupling (or permit + 14), accrued", lambda s: f"{s['overdue_person_days_from_coupling']:,}"),
    ("wait from the coupling, mean / median / p90 / max (days)", _stats("wait_from_coupling")),
    ("housed within 84 days of the coupling", lambda s: _pct(s["housed_within_norm_share_from_coupling"])),
    ("person-moves", lambda s: str(s["person_moves"])),
    ("refusals (became bans)", lambda s: str(s["refusals"])),
    ("couplings within 50 km", lambda s: _pct(s["coupled_within_50km_share"])),
    ("municipalities meeting their obligation (last period)", lambda s: _pct(_last(s)["municipalities_met_share"])),
    ("provinces meeting their obligation (last period)", lambda s: _pct(_last(s)["provinces_met_share"])),
    ("realised / obligation (last period)", lambda s: _pct(_last(s)["realised_over_obligation"])),
    ("solve seconds: total / max week", lambda s: f"{s['solve_s_total']} / {s['solve_s_max']}"),
    ("weekly statuses", lambda s: ", ".join(f"{k} {v}" for k, v in s["statuses"].items())),
)


def _last(s: dict[str, Any]) -> dict[str, Any]:
    return s["quota"][max(s["quota"], key=int)] if s["quota"] else {}


def _n(value: Any) -> str:
    return "–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def markdown(results: Sequence[SimResult], command: str | None = None, images: Sequence[str] = ()) -> str:
    """A report comparing the runs side by side."""
    c = results[0].config
    lines = [f"# Simulation: {c.source}, {c.weeks} weeks", ""]
    if command:
        lines += ["```sh", command, "```", ""]
    lines += [
        f"Seed {c.seed}; supply ×{c.supply:g}, homes answering coupling {c.answer_share:g}, arrivals ×{c.arrivals:g}, refusal rate {c.refusal_rate:g}, "
        f"max {c.max_km:g} km" + (f", max {c.max_minutes:g} min" if c.max_minutes else "")
        + f", homes on offer {c.offer_weeks} weeks; weekly time limit {c.time_limit:g} s ({c.solver}); "
        f"code {code_version()}. "
        "Definitions: `docs/simulation.md`.",
        "",
        "| | " + " | ".join(label(r, results) for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    gaps = gap_shares(results)
    for i, (name, get) in enumerate(_TABLE):
        lines.append(f"| {name} | " + " | ".join(get(r.summary) for r in results) + " |")
        if i == 0 and any(g is not None for g in gaps):
            lines.append("| share of the greedy→hindsight gap closed | " + " | ".join(_pct(g) for g in gaps) + " |")
    lines.append("| wall seconds | " + " | ".join(f"{r.wall_s:.1f}" for r in results) + " |")
    lines += ["", GAP_NOTE if any(g is not None for g in gaps) else NO_GAP_NOTE, ""]
    if any(r.config.policy == "hindsight" for r in results):
        lines += [HINDSIGHT_NOTE, ""]
    if any(r.config.policy == "hindsight14" for r in results):
        lines += [HINDSIGHT14_NOTE, ""]
    if any(r.config.policy == "hindsight-rule" for r in results):
        lines += [HINDSIGHT_RULE_NOTE, ""]
    for image in images:
        lines += [f"![{Path(image).stem}]({image})", ""]
    return "\n".join(lines)


def write_report(results: Sequence[SimResult], folder: Path, command: str | None = None, plots: bool = True) -> list[Path]:
    """Everything for one or more runs on the same arrivals: per run ``weeks.csv``, ``housed.csv``,
    ``quota.csv``, ``run.json`` (in a subfolder per policy when there are several), ``runs.csv``,
    the plots and ``report.md``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for res in results:
        sub = folder if len(results) == 1 else folder / label(res, results).replace(" ", "-")
        paths += write_run(res, sub)
    paths.append(_write_csv(folder / "runs.csv", [run_row(r, g) for r, g in zip(results, gap_shares(results))]))
    images: list[str] = []
    if plots:
        for p in write_plots(results, folder):
            paths.append(p)
            images.append(p.name)
    report = folder / "report.md"
    report.write_text(markdown(results, command, images), encoding="utf-8")
    paths.append(report)
    return paths

"""Sweeps: a grid of scenarios × seeds × policies, run on a Dask cluster (a local one by default,
an existing one with a scheduler address) or serially, with the same numbers either way.

Each task is one :func:`~matcher.simulate.run.simulate` call on a :class:`SimConfig`; a task has
no shared state and draws from its own seeded streams, so where it runs does not change its
numbers.  dask and distributed are imported only here.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from matcher.exceptions import MatcherError
from matcher.simulate.config import SimConfig, parse_value
from matcher.simulate.run import SimResult, simulate

log = logging.getLogger(__name__)


def parse_grid(specs: Sequence[str]) -> list[dict[str, Any]]:
    """Scenarios from ``KEY=V1,V2`` specs: the cartesian product of the axes, in the order given.

    No spec gives the one base scenario ``{}``.  Raises :class:`MatcherError` on a bad spec.
    """
    axes: list[tuple[str, list[Any]]] = []
    for spec in specs:
        key, sep, values = spec.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not values.strip():
            raise MatcherError(f"grid {spec!r}: expected KEY=V1,V2 (for example max_km=30,50,70)")
        if key in (k for k, _ in axes):
            raise MatcherError(f"grid key {key!r} is given twice")
        axes.append((key, [parse_value(key, v) for v in values.split(",")]))
    return [dict(zip((k for k, _ in axes), combo)) for combo in itertools.product(*(v for _, v in axes))]


def scenario_name(scenario: dict[str, Any]) -> str:
    """``max_km=30 supply=0.8``, or ``base`` for no change."""
    return " ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in scenario.items()) or "base"


def grid_configs(base: SimConfig, scenarios: Sequence[dict[str, Any]], seeds: Sequence[int],
                 policies: Sequence[str]) -> list[SimConfig]:
    """Every (scenario, seed, policy) as a config, scenario-major, then seed, then policy.

    The hindsight is left out of the scenarios with ``answer_share`` > 0 (it plans over the homes
    as drawn, so it is exact only at 0 and refuses more: :func:`hindsight_left_out` says where)."""
    if not seeds or not policies:
        raise MatcherError("a sweep needs at least one seed and one policy")
    configs = [replace(base, **scenario, scenario=scenario_name(scenario), seed=seed, policy=policy)
               for scenario in scenarios for seed in seeds for policy in policies]
    configs = [c for c in configs if not (c.policy == "hindsight" and c.answer_share > 0)]
    if not configs:
        raise MatcherError("the hindsight optimum needs answer_share 0, and the sweep has no other policy or "
                           "scenario to run")
    return configs


def hindsight_left_out(base: SimConfig, scenarios: Sequence[dict[str, Any]], policies: Sequence[str]) -> list[str]:
    """The scenarios of a sweep where the hindsight is asked for but not run (``answer_share`` > 0)."""
    if "hindsight" not in policies:
        return []
    return [scenario_name(s) for s in scenarios if replace(base, **s).answer_share > 0]


def run_serial(configs: Sequence[SimConfig], progress: bool = False) -> list[SimResult]:
    """Run the configs one after the other in this process."""
    bar = _bar(len(configs), progress)
    out = []
    for config in configs:
        out.append(simulate(config))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return out


def run_dask(configs: Sequence[SimConfig], scheduler: str | None = None, workers: int = 2,
             processes: bool = True, progress: bool = False) -> list[SimResult]:
    """Run the configs on Dask: on the cluster at ``scheduler`` (its workers need matcher
    installed), or on a local cluster of ``workers`` single-threaded workers.  Results come back in
    the order of ``configs``."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise MatcherError("sweeps on Dask need the sim extra: pip install 'matcher[sim]'") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise MatcherError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        futures = client.map(simulate, list(configs), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[SimResult | None] = [None] * len(futures)
        bar = _bar(len(futures), progress)
        for future in as_completed(futures):
            results[index[future.key]] = future.result()
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        return [r for r in results if r is not None]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc="sweep", unit="run")


def write_sweep(results: Sequence[SimResult], folder: Any, command: str | None = None, plots: bool = True,
                skipped_hindsight: bool = False) -> list[Any]:
    """``sweep.csv`` (one row per run), ``sweep_weeks.csv`` (every week of every run),
    ``sweep_housed.csv`` (every household housed in every run), ``sweep.png`` (the mean wait and
    overdue person-days per scenario and policy), per scenario a figure comparing the policies on
    the same runs (:func:`matcher.simulate.sweep_report.plot_scenario`) and ``report.md``."""
    from pathlib import Path

    from matcher.simulate.report import code_version
    from matcher.simulate.sweep_report import from_results, write_csvs, write_report

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = from_results(results, command, code_version())
    paths = write_csvs(data, folder)
    if plots:
        paths.append(_plot_sweep(_mean_table(data.runs), folder / "sweep.png"))
    paths += write_report(data, folder, plots=plots, skipped_hindsight=skipped_hindsight,
                          extra_images=["sweep.png"] if plots else [])
    return paths


_MEANS = ("overdue_person_days_from_permit", "gap_closed_share", "housed_persons", "wait_from_permit_mean",
          "wait_from_permit_p90", "housed_within_norm_share", "coupled_in_time_share",
          "overdue_person_days_from_coupling", "person_moves", "coupled_within_50km_share",
          "municipalities_met_share", "solve_s_total")


def _mean_table(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str], dict[str, float | None]]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["scenario"], row["policy"]), []).append(row)
    out: dict[tuple[str, str], dict[str, float | None]] = {}
    for key, members in groups.items():
        out[key] = {}
        for name in _MEANS:
            values = [m[name] for m in members if m[name] is not None]
            out[key][name] = sum(values) / len(values) if values else None
        gaps = [m["gap_closed_share"] for m in members if m["gap_closed_share"] is not None]
        out[key]["gap_closed_min"] = min(gaps) if gaps else None
    return out


def _plot_sweep(table: dict[tuple[str, str], dict[str, float | None]], path: Any) -> Any:
    from matcher.simulate.report import _pyplot, _save

    plt = _pyplot()
    scenarios = list(dict.fromkeys(s for s, _ in table))
    policies = list(dict.fromkeys(p for _, p in table))
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    width = 0.8 / len(policies)
    for ax, metric, title in ((axes[0], "wait_from_permit_mean", "mean wait, permit to housing (days)"),
                              (axes[1], "overdue_person_days_from_permit", "overdue person-days from the permit")):
        for i, policy in enumerate(policies):
            values = [table.get((s, policy), {}).get(metric) or 0 for s in scenarios]
            ax.bar([j + i * width for j in range(len(scenarios))], values, width=width, label=policy)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(scenarios))])
        ax.set_xticklabels(scenarios, rotation=30, ha="right", fontsize="small")
        ax.set_title(title, fontsize="medium")
    axes[0].legend()
    return _save(fig, plt, path)

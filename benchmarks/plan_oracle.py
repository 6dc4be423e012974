"""What knowing the coming weeks is worth to the look-ahead policy: its sampled plans replaced by
one plan on the run's *true* future (the simulator's own permits and homes of the next
``plan_weeks`` weeks), against the stored baselines.

This is no policy anyone could run (it reads the weeks to come); it measures how much of the
distance between ``lookahead`` and the hindsight lies in not knowing the future, and how much in
the policy's structure (planning on a horizon, re-planning weekly, following a linear programme's
week-0 decisions)::

    python -m benchmarks.plan_oracle --baseline benchmarks/results/simulation/targets/report/sweep.csv \
        [--regions hart-van-brabant,twente] [--seeds 0-9] [--set plan_weeks=26 ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from benchmarks.lookahead_gap import _seeds, _setting, baseline


def run_one(region: str, seed: int, weeks: int, overrides: dict[str, Any]) -> dict[str, Any]:
    """One lookahead run whose plans see the true future."""
    import matcher.sampled_plan as sampled_plan
    from matcher.lookahead import LookaheadSettings
    from matcher.simulate.arrivals import weekly_homes, weekly_permits
    from matcher.simulate.config import SimConfig
    from matcher.simulate.policies import POLICIES, LookaheadPolicy, prior_history
    from matcher.simulate.run import initial_state, simulate

    settings = dataclasses.replace(LookaheadSettings(), plan_samples=1, **overrides)
    POLICIES["lookahead-oracle"] = lambda c: LookaheadPolicy("lookahead", c.time_limit, c.seed, prior_history(c),
                                                             settings, {})
    config = SimConfig(region=region, weeks=weeks, seed=seed, policy="lookahead-oracle")
    state, sampler = initial_state(config)
    real = sampled_plan.plan_week

    def with_future(*args: Any, **kwargs: Any) -> Any:
        week = args[5]

        def future(k: int) -> tuple[list[Any], list[Any]]:
            w = week + k
            as_of = state.start + dt.timedelta(days=7 * w)
            permits = weekly_permits(sampler, config.seed, w, as_of, config.arrivals)
            return ([dataclasses.replace(p.household, document_ready=True) for p in permits],
                    weekly_homes(sampler, config.seed, w, as_of, config.supply))

        return real(*args, **{**kwargs, "future": future})

    sampled_plan.plan_week = with_future
    try:
        s = simulate(config).summary
    finally:
        sampled_plan.plan_week = real
    return {"region": region, "seed": seed, "overdue": s["overdue_person_days_from_permit"],
            "housed": s["housed_persons"], "coupled": s["coupled_in_time_persons"]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.plan_oracle", description=__doc__.split("\n")[0])
    p.add_argument("--baseline", required=True, help="a sweep.csv with greedy and hindsight rows")
    p.add_argument("--regions", default="hart-van-brabant,twente")
    p.add_argument("--seeds", type=_seeds, default=list(range(10)))
    p.add_argument("--weeks", type=int, default=26)
    p.add_argument("--set", dest="overrides", type=_setting, action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args(argv)
    base = baseline(args.baseline)
    runs = [(r, s) for r in args.regions.split(",") for s in args.seeds]
    overrides = dict(args.overrides)
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(run_one, *zip(*[(r, s, args.weeks, overrides) for r, s in runs])))
    shares = []
    print("run | greedy | lookahead with the true future | hindsight | gap")
    for res in results:
        g = float(base[(res["region"], res["seed"], "greedy")]["overdue_person_days_from_permit"])
        h = float(base[(res["region"], res["seed"], "hindsight")]["overdue_person_days_from_permit"])
        share = (g - res["overdue"]) / (g - h) if g > h else 1.0
        shares.append(share)
        print(f"{res['region']} {res['seed']} | {g:,.0f} | {res['overdue']:,} | {h:,.0f} | {share:.1%}")
    print(f"mean {statistics.mean(shares):.1%}, min {min(shares):.1%}; settings {overrides or 'defaults'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The look-ahead policy's share of the greedy→hindsight gap per seed, against stored baselines.

Runs ``lookahead`` (optionally with changed :class:`matcher.lookahead.LookaheadSettings`) on the
runs of a baseline ``sweep.csv`` that holds greedy and hindsight for the same region, seed and
default scenario, and prints per run the overdue person-days from the permit, the share of the gap
closed and the tails the targets of issue #13 name (persons housed and coupled within 14 days
against weekly, p90 and maximum wait from the permit against greedy)::

    python -m benchmarks.lookahead_gap --baseline benchmarks/results/simulation/targets/report/sweep.csv \
        --regions hart-van-brabant,twente --seeds 0-9 [--set guard=2.0 ...] [--check]

Every week is checked by the independent checker with ``--check``.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def _seeds(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(s) for s in text.split(",")]


def _setting(text: str) -> tuple[str, Any]:
    from matcher.lookahead import LookaheadSettings

    key, _, raw = text.partition("=")
    fields = {f.name: f for f in dataclasses.fields(LookaheadSettings)}
    if key not in fields:
        raise argparse.ArgumentTypeError(f"unknown setting {key!r}; expected one of {', '.join(fields)}")
    default = getattr(LookaheadSettings(), key)
    if isinstance(default, bool):
        return key, raw.lower() in ("1", "true", "yes")
    if isinstance(default, (int, float)):
        return key, type(default)(raw)
    raise argparse.ArgumentTypeError(f"setting {key!r} cannot be set here")


def run_one(region: str, seed: int, weeks: int, overrides: dict[str, Any], check: bool) -> dict[str, Any]:
    """One lookahead run; its summary figures."""
    from matcher.lookahead import LookaheadSettings
    from matcher.simulate.config import SimConfig
    from matcher.simulate.policies import POLICIES, LookaheadPolicy, prior_history
    from matcher.simulate.run import simulate

    settings = dataclasses.replace(LookaheadSettings(), **overrides)
    POLICIES["lookahead-bench"] = lambda c: LookaheadPolicy("lookahead", c.time_limit, c.seed, prior_history(c),
                                                             settings, {})
    config = SimConfig(region=region, weeks=weeks, seed=seed, policy="lookahead-bench", check=check)
    s = simulate(config).summary
    return {"region": region, "seed": seed, "overdue": s["overdue_person_days_from_permit"],
            "housed": s["housed_persons"], "coupled": s["coupled_in_time_persons"],
            "p90": s["wait_from_permit"]["p90"], "max": s["wait_from_permit"]["max"]}


def baseline(path: str) -> dict[tuple[str, int, str], dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {(r["region"], int(r["seed"]), r["policy"]): r for r in csv.DictReader(fh) if r["scenario"] == "base"}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.lookahead_gap", description=__doc__.split("\n")[0])
    p.add_argument("--baseline", required=True, help="a sweep.csv with greedy, weekly and hindsight rows")
    p.add_argument("--regions", default="hart-van-brabant,twente")
    p.add_argument("--seeds", type=_seeds, default=list(range(10)))
    p.add_argument("--weeks", type=int, default=26)
    p.add_argument("--set", dest="overrides", type=_setting, action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--check", action="store_true", help="check every week's proposal")
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args(argv)
    base = baseline(args.baseline)
    overrides = dict(args.overrides)
    runs = [(r, s) for r in args.regions.split(",") for s in args.seeds]
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(run_one, *zip(*[(r, s, args.weeks, overrides, args.check) for r, s in runs])))
    shares, misses = [], {"housed": 0, "coupled": 0, "p90": 0, "max": 0}
    print("run | greedy | lookahead | hindsight | gap | housed la/w | coupled<=14d la/w | p90 la/g | max la/g")
    for row in rows:
        key = (row["region"], row["seed"])
        g, w, h = (base[(*key, pol)] for pol in ("greedy", "weekly", "hindsight"))
        gd, hd = float(g["overdue_person_days_from_permit"]), float(h["overdue_person_days_from_permit"])
        share = (gd - row["overdue"]) / (gd - hd) if gd > hd else float("nan")
        shares.append(share)
        flags = {"housed": row["housed"] < int(w["housed_persons"]),
                 "coupled": row["coupled"] < int(w["coupled_in_time_persons"]),
                 "p90": row["p90"] > float(g["wait_from_permit_p90"]),
                 "max": row["max"] > float(g["wait_from_permit_max"])}
        for k, bad in flags.items():
            misses[k] += bad
        mark = {k: " x" if v else "" for k, v in flags.items()}
        print(f"{row['region']} {row['seed']} | {gd:,.0f} | {row['overdue']:,} | {hd:,.0f} | {share:.1%} | "
              f"{row['housed']}/{w['housed_persons']}{mark['housed']} | "
              f"{row['coupled']}/{w['coupled_in_time_persons']}{mark['coupled']} | "
              f"{row['p90']:g}/{float(g['wait_from_permit_p90']):g}{mark['p90']} | "
              f"{row['max']:g}/{float(g['wait_from_permit_max']):g}{mark['max']}")
    print(f"mean {statistics.mean(shares):.1%}, min {min(shares):.1%}, below 60%: {sum(s < 0.6 for s in shares)} "
          f"of {len(shares)}; misses {misses}; settings {overrides or 'defaults'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The effect of family reunification (nareizigers) in the simulation: the same runs (region,
seeds, policy, permits, homes, refusals) without and with the expected family members arriving,
and what changes — the headline overdue person-days from the permit, the days from the permit to
the move-in (or to the end for those still waiting) of the households expecting family against
the others, the expected members housed without room (``extra_misfit``), and the households that
grew in their home past it::

    python -m benchmarks.reunification --region twente --weeks 52 --seeds 0-2 --policy greedy \
        --weeks-to-arrival 13,26 [--check] [--out benchmarks/results/reunification.md]

Every week is checked by the independent checker with ``--check``.  The delay from the permit to
the arrival is an assumption (``docs/simulation.md``, *Family reunification*).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from typing import Any


def _seeds(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(s) for s in text.split(",")]


def run_one(region: str, seed: int, weeks: int, policy: str, reunification_weeks: float, check: bool) -> dict[str, Any]:
    """One run's figures."""
    from matcher.simulate.config import SimConfig
    from matcher.simulate.run import simulate

    result = simulate(SimConfig(region=region, weeks=weeks, seed=seed, policy=policy, check=check,
                                reunification_weeks=reunification_weeks))
    s, r = result.summary, result.extra["reunification"]
    return {
        "seed": seed, "reunification_weeks": reunification_weeks,
        "overdue": s["overdue_person_days_from_permit"], "housed_persons": s["housed_persons"],
        "waiting_persons_end": s["waiting_persons_end"],
        "expecting_mean": r["days_from_permit_expecting"]["mean"], "others_mean": r["days_from_permit_others"]["mean"],
        "expecting_median": r["days_from_permit_expecting"]["median"],
        "others_median": r["days_from_permit_others"]["median"],
        "expecting": r["expecting_households"], "joined_waiting": r["joined_waiting"]["households"],
        "joined_temporary": r["joined_temporary"]["households"], "joined_in_home": r["joined_in_home"]["households"],
        "grown_past_home": r["grown_past_home"], "extra_misfit": r["extra_misfit_persons"],
        "still_due": r["still_due_households"],
    }


COLUMNS = (("overdue", "overdue person-days from the permit (headline)"),
           ("housed_persons", "persons housed"),
           ("waiting_persons_end", "persons waiting at the end"),
           ("expecting_mean", "days permit → move-in or end, households expecting family (mean)"),
           ("others_mean", "the same, the other households (mean)"),
           ("expecting_median", "households expecting family (median)"),
           ("others_median", "the other households (median)"),
           ("joined_waiting", "households joined by family while waiting in reception"),
           ("joined_temporary", "... while in a temporary home"),
           ("joined_in_home", "... in their own home"),
           ("grown_past_home", "of those, homes that no longer fit"),
           ("extra_misfit", "expected members housed without room (extra_misfit, persons)"),
           ("still_due", "households whose family is still due at the end"))


def _mean(rows: list[dict[str, Any]], key: str) -> str:
    values = [r[key] for r in rows if r[key] is not None]
    return f"{statistics.mean(values):,.1f}" if values else "–"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.reunification", description=__doc__.split("\n\n")[0])
    p.add_argument("--region", default="twente")
    p.add_argument("--weeks", type=int, default=52)
    p.add_argument("--seeds", type=_seeds, default=[0])
    p.add_argument("--policy", default="greedy")
    p.add_argument("--weeks-to-arrival", default="26", help="mean weeks from the permit to the arrival (comma list)")
    p.add_argument("--check", action="store_true")
    p.add_argument("--out", help="write the markdown table here too")
    args = p.parse_args(argv)
    settings = [0.0] + [float(w) for w in args.weeks_to_arrival.split(",")]
    rows = [run_one(args.region, seed, args.weeks, args.policy, w, args.check) for w in settings for seed in args.seeds]
    head = ["off" if w == 0 else f"{w:g} weeks" for w in settings]
    lines = [f"{args.region}, {args.weeks} weeks, policy {args.policy}, seeds {','.join(map(str, args.seeds))}: "
             "means over the seeds", "",
             "| reunification | " + " | ".join(head) + " |", "|---|" + "---:|" * len(settings)]
    for key, name in COLUMNS:
        lines.append(f"| {name} | " + " | ".join(_mean([r for r in rows if r["reunification_weeks"] == w], key)
                                                 for w in settings) + " |")
    lines += ["", "Per run:", "", "| seed | reunification | " + " | ".join(k for k, _ in COLUMNS) + " |",
              "|---|---|" + "---:|" * len(COLUMNS)]
    for r in rows:
        lines.append(f"| {r['seed']} | {r['reunification_weeks']:g} | "
                     + " | ".join("–" if r[k] is None else f"{r[k]:,}" if isinstance(r[k], int) else f"{r[k]:,.1f}"
                                  for k, _ in COLUMNS) + " |")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The ``simulate`` and ``sweep`` commands (added to :mod:`matcher.cli`)."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from matcher.exceptions import MatcherError

EXIT_OK = 0


def _int_list(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None


def _names(text: str) -> list[str]:
    names = [v.strip() for v in text.split(",") if v.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected at least one name")
    return names


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be in [0, 1)")
    return value


def _unit_share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be in [0, 1]")
    return value


def _weeks(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _common(p: argparse.ArgumentParser, positive: Callable[[str], float]) -> None:
    from matcher.simulate.config import CALIBRATED_SUPPLY

    source = p.add_mutually_exclusive_group()
    source.add_argument("--region", default=None, help="twente, hart-van-brabant or nl (default twente)")
    source.add_argument("--instance", type=Path, help="an instance folder as the starting state")
    p.add_argument("--weeks", type=_weeks, default=26, help="weeks to simulate (default 26, one period)")
    p.add_argument("--refusal-rate", type=_share, default=0.05, help="chance an offered home is refused (default 0.05)")
    p.add_argument("--supply", type=positive, default=CALIBRATED_SUPPLY,
                   help=f"factor on homes offered a week (default {CALIBRATED_SUPPLY}, the pilot calibration)")
    p.add_argument("--answer-share", type=_unit_share, default=0.0,
                   help="share of each municipality's offered homes found for a household coupled to it and "
                        "waiting, so that it fits them (0..1, default 0: today's stock mix)")
    p.add_argument("--arrivals", type=positive, default=1.0, help="factor on new permits a week (default 1)")
    p.add_argument("--max-km", type=positive, default=50.0, help="regional limit in km (default 50)")
    p.add_argument("--max-minutes", type=positive, help="public-transport limit in minutes (default none)")
    p.add_argument("--offer-weeks", type=int, default=4, help="weeks a home stays on offer (default 4)")
    p.add_argument("--reunification-weeks", type=float, default=0.0,
                   help="family reunification: mean weeks from the permit to the arrival of the expected family "
                        "members (default 0: off)")
    p.add_argument("--solver", default="auto", help="backend of the weekly policy (default auto)")
    p.add_argument("--time-limit", type=positive, default=20.0, help="seconds per weekly solve (default 20)")
    p.add_argument("--out", type=Path, required=True, help="folder for the CSV, PNG and report.md")
    p.add_argument("--no-plots", action="store_true", help="write no PNG plots")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def add_simulate_commands(sub: Any, positive: Callable[[str], float]) -> None:
    """Add ``simulate`` and ``sweep`` to the subcommands of ``matcher``."""
    s = sub.add_parser("simulate", help="simulate weeks of proposals on a region (policies on the same arrivals)")
    _common(s, positive)
    s.add_argument("--policy", type=_names, default=["weekly"],
                   help="policy, or several comma-separated on the same arrivals: greedy, weekly, lookahead (default weekly)")
    s.add_argument("--seed", type=int, default=0, help="seed of the example, arrivals, homes and refusals")
    s.add_argument("--check", action="store_true", help="run the independent checker on every week's proposal")

    w = sub.add_parser("sweep", help="scenarios x seeds x policies on a Dask cluster")
    _common(w, positive)
    w.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2",
                   help="a scenario axis (repeatable): max_km, max_minutes, supply, answer_share, arrivals, "
                        "refusal_rate, offer_weeks, reunification_weeks")
    w.add_argument("--seeds", type=_int_list, default=[0], help="comma-separated seeds (default 0)")
    w.add_argument("--policies", type=_names, default=["greedy", "weekly"], help="comma-separated (default greedy,weekly)")
    w.add_argument("--scheduler", help="address of an existing Dask scheduler (default: a local cluster)")
    w.add_argument("--workers", type=int, default=2, help="workers of the local cluster (default 2)")
    w.add_argument("--serial", action="store_true", help="run in this process, without Dask")

    r = sub.add_parser("sweep-report", help="the report and plots of earlier sweeps, merged, without running them again")
    r.add_argument("folders", type=Path, nargs="+", help="--out folders of `matcher sweep` (sweep.csv, ...)")
    r.add_argument("--out", type=Path, required=True, help="folder for the merged CSV, the plots and report.md")
    r.add_argument("--title", help="the report's first line (default: regions, weeks and seeds)")
    r.add_argument("--no-plots", action="store_true", help="write no PNG plots")


def _base(args: argparse.Namespace) -> Any:
    from matcher.simulate.config import SimConfig
    from matcher.synth import EXAMPLES

    if args.instance is not None:
        if not args.instance.is_dir():
            raise MatcherError(f"--instance {args.instance}: not a folder")
        region, folder = "folder", str(args.instance)
    else:
        region, folder = args.region or "twente", None
        if region not in EXAMPLES:
            raise MatcherError(f"unknown region {region!r}; expected one of {', '.join(EXAMPLES)} (or --instance DIR)")
    return SimConfig(region=region, folder=folder, weeks=args.weeks, refusal_rate=args.refusal_rate,
                     supply=args.supply, answer_share=args.answer_share, arrivals=args.arrivals, max_km=args.max_km,
                     max_minutes=args.max_minutes,
                     offer_weeks=args.offer_weeks, reunification_weeks=args.reunification_weeks, solver=args.solver, time_limit=args.time_limit)


def _check_names(policies: list[str], solver: str) -> None:
    from matcher.simulate.policies import POLICIES
    from matcher.solvers import SOLVERS

    unknown = [p for p in policies if p not in POLICIES]
    if unknown:
        raise MatcherError(f"unknown policy {unknown[0]!r}; expected one of {', '.join(POLICIES)}")
    if solver != "auto" and solver not in SOLVERS:
        raise MatcherError(f"unknown solver {solver!r}; expected one of auto, {', '.join(SOLVERS)}")


def _require(args: argparse.Namespace) -> None:
    """The packages this run will use are importable (one line and exit 2 if not, before any week runs)."""
    from matcher.deps import require

    needs: list[tuple[str, str, str | None]] = []
    if args.command == "sweep" and not args.serial:
        needs.append(("distributed", "running on a Dask cluster", "--serial"))
    if not args.no_plots:
        needs.append(("matplotlib", "drawing the plots", "--no-plots"))
    if not args.quiet:
        needs.append(("tqdm", "the progress bar", "--quiet"))
    require(args.command, needs)


def run_simulate_command(args: argparse.Namespace) -> int:
    """Run ``simulate`` or ``sweep``; errors are :class:`MatcherError` (exit 2 in :mod:`matcher.cli`)."""
    if args.command == "sweep-report":
        return _sweep_report(args)
    if args.offer_weeks < 0:
        raise MatcherError(f"--offer-weeks must not be negative, got {args.offer_weeks}")
    command = "matcher " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else None
    base = _base(args)
    _require(args)
    if args.command == "simulate":
        return _simulate(args, base, command)
    return _sweep(args, base, command)


def _simulate(args: argparse.Namespace, base: Any, command: str | None) -> int:
    from dataclasses import replace

    from matcher.simulate.report import write_report
    from matcher.simulate.run import simulate

    _check_names(args.policy, args.solver)
    started = time.perf_counter()
    results = []
    for policy in args.policy:
        config = replace(base, policy=policy, seed=args.seed, check=args.check)
        result = simulate(config, progress=not args.quiet)
        s = result.summary
        print(f"{policy}: housed {s['housed_households']} households, mean wait from the permit "
              f"{s['wait_from_permit']['mean']} days, overdue person-days from the permit "
              f"{s['overdue_person_days_from_permit']:,}, statuses {s['statuses']}, "
              f"{result.wall_s:.1f} s")
        results.append(result)
    paths = write_report(results, args.out, command, plots=not args.no_plots)
    print(f"wrote {len(paths)} files to {args.out} ({time.perf_counter() - started:.1f} s)")
    return EXIT_OK


def _sweep(args: argparse.Namespace, base: Any, command: str | None) -> int:
    from matcher.simulate.sweep import grid_configs, hindsight_left_out, parse_grid, run_dask, run_serial, write_sweep

    _check_names(args.policies, args.solver)
    if args.workers < 1:
        raise MatcherError(f"--workers must be at least 1, got {args.workers}")
    scenarios = parse_grid(args.grid)
    configs = grid_configs(base, scenarios, args.seeds, args.policies)
    left_out = hindsight_left_out(base, scenarios, args.policies)
    if left_out:
        print(f"hindsight left out where answer_share > 0 ({', '.join(left_out)}): it plans over the homes as drawn, "
              "so those scenarios have no share of the gap", file=sys.stderr)
    started = time.perf_counter()
    if args.serial:
        results = run_serial(configs, progress=not args.quiet)
    else:
        results = run_dask(configs, scheduler=args.scheduler, workers=args.workers, progress=not args.quiet)
    elapsed = time.perf_counter() - started
    paths = write_sweep(results, args.out, command, plots=not args.no_plots, skipped_hindsight=bool(left_out))
    where = "serially" if args.serial else f"on Dask ({args.scheduler or f'local cluster, {args.workers} workers'})"
    print(f"{len(results)} runs {where} in {elapsed:.1f} s; wrote {len(paths)} files to {args.out}")
    return EXIT_OK


def _sweep_report(args: argparse.Namespace) -> int:
    from matcher.simulate.sweep_report import merge, read_sweep, write_csvs, write_report

    if not args.no_plots:
        from matcher.deps import require

        require(args.command, [("matplotlib", "drawing the plots", "--no-plots")])
    data = merge([(str(folder), read_sweep(folder)) for folder in args.folders])
    command = "matcher " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else None
    if command:
        data.commands.append(command)
    title = f"# {args.title}" if args.title and not args.title.startswith("#") else args.title
    paths = write_csvs(data, args.out) + write_report(data, args.out, plots=not args.no_plots, title=title)
    print(f"{len(data.runs)} runs from {len(args.folders)} sweep{'s' if len(args.folders) != 1 else ''}; "
          f"wrote {len(paths)} files to {args.out}")
    return EXIT_OK

"""The command line (docs/contract.md §7).

Exit codes: 0 done, 1 the check found violations, 2 invalid input, 3 the locks cannot all hold.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path

from matcher.exceptions import InstanceError, LocksInfeasibleError, MatcherError, MissingDependencyError, Problem
from matcher.models import LEVELS, Proposal
from matcher.read import read_instance, read_params, require_travel_times
from matcher.rules import Rules

EXIT_OK, EXIT_VIOLATIONS, EXIT_INVALID, EXIT_LOCKS = 0, 1, 2, 3


def _date(text: str) -> dt.date:
    from matcher.read import CellError
    from matcher.read import _date as parse_date

    try:
        return parse_date(text)
    except CellError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    from matcher.solvers import SOLVERS

    parser = argparse.ArgumentParser(prog="matcher", description="Weekly coupling and housing proposals for status holders.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log the solver's progress")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("propose", help="solve an instance folder (or an embedded example) and write the proposal")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("folder", nargs="?", type=Path, help="instance folder (docs/contract.md §1)")
    source.add_argument("--example", help="an embedded synthetic example: twente, hart-van-brabant or nl")
    p.add_argument("--out", type=Path, required=True, help="folder for proposal.csv and summary.json")
    p.add_argument("--as-of", type=_date, help="run date (overrides params.toml)")
    p.add_argument("--solver", default="auto", choices=["auto", *SOLVERS],
                   help="backend: auto (the fastest exact one), cpsat, highspy, highs, cbc, cpsat-classes or greedy")
    p.add_argument("--time-limit", type=_positive, default=60.0, help="wall-clock seconds for the solve (default 60)")
    p.add_argument("--max-km", type=_positive, help="regional limit in km (default 50; none when max_minutes is given and max_km is not)")
    p.add_argument("--max-minutes", type=_positive, help="public-transport limit in minutes (default none)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the solver and of --example")
    p.add_argument("--workers", type=int, default=1, help="solver threads (1 is reproducible)")
    p.add_argument("--no-check", action="store_true", help="skip the independent check of the written proposal")
    p.add_argument("--policy", choices=["weekly", "lookahead"], default="weekly",
                   help="weekly: the exact engine on the contract's levels (default); lookahead: the half-year "
                        "in view (docs/simulation.md), priced from --history")
    p.add_argument("--lang", choices=["nl", "en"], default="nl",
                   help="language of the reasons in proposal.csv: nl (Dutch, the default) or en")
    p.add_argument("--history", type=Path,
                   help="CSV of past offers and permits for --policy lookahead (columns in docs/simulation.md)")

    c = sub.add_parser("check", help="check a proposal against an instance folder")
    c.add_argument("folder", type=Path)
    c.add_argument("proposal", type=Path)
    c.add_argument("--as-of", type=_date)
    c.add_argument("--max-km", type=_positive)
    c.add_argument("--max-minutes", type=_positive)

    e = sub.add_parser("example", help="write a synthetic instance folder")
    e.add_argument("name", help="twente, hart-van-brabant or nl")
    e.add_argument("--out", type=Path, required=True)
    e.add_argument("--seed", type=int, default=0)

    from matcher.simulate.cli import add_simulate_commands  # `simulate` and `sweep` (dask, matplotlib imported lazily)

    add_simulate_commands(sub, _positive)
    add_plugin_commands(sub)
    return parser


COMMAND_GROUP = "matcher.commands"
"""Entry-point group of the subcommands other packages add (the service's ``serve`` and ``token``).

Each entry point names a callable that takes the subparsers of ``matcher`` and adds its commands,
each setting the default ``handler``: a function of the parsed arguments returning the exit code.
The engine imports none of them itself: they come from the installed package metadata.
"""


def add_plugin_commands(sub: argparse._SubParsersAction) -> None:
    """Add the subcommands registered under :data:`COMMAND_GROUP`; one that fails to load is
    reported in one line on stderr and left out, so the engine's own commands still run."""
    from importlib.metadata import entry_points

    seen: set[str] = set()
    for point in sorted(entry_points(group=COMMAND_GROUP), key=lambda p: p.name):
        if point.name in seen:  # the same package installed twice (an editable and a regular install)
            continue
        seen.add(point.name)
        try:
            add = point.load()
            add(sub)
        except Exception as exc:  # a broken plugin must not take propose and check with it
            print(f"matcher: the commands of {point.name!r} ({point.value}) could not be loaded: {exc}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        if args.command == "propose":
            return _propose(args)
        if args.command == "check":
            return _check(args)
        if args.command == "example":
            return _example(args)
        if args.command in ("simulate", "sweep", "sweep-report"):
            from matcher.simulate.cli import run_simulate_command

            return run_simulate_command(args)
        handler = getattr(args, "handler", None)
        if handler is not None:  # a command added through COMMAND_GROUP
            return int(handler(args))
    except InstanceError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"matcher: invalid input ({len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}); nothing was solved", file=sys.stderr)
        return EXIT_INVALID
    except MissingDependencyError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    except LocksInfeasibleError as exc:
        print(f"matcher: the locks cannot all hold: {exc}", file=sys.stderr)
        return EXIT_LOCKS
    except MatcherError as exc:
        print(f"matcher: {exc}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _example(args: argparse.Namespace) -> int:
    from matcher.synth import EXAMPLES, write_example

    if args.name not in EXAMPLES:
        raise InstanceError([Problem("example", f"unknown example {args.name!r}; expected one of {', '.join(EXAMPLES)}")])
    folder = write_example(args.name, args.out, seed=args.seed)
    print(f"wrote example {args.name} (seed {args.seed}) to {folder}")
    return EXIT_OK


def _propose(args: argparse.Namespace) -> int:
    from matcher.solvers import solve
    from matcher.write import write_proposal

    overrides = {"as_of": args.as_of, "max_km": args.max_km, "max_minutes": args.max_minutes}
    if args.example is not None:
        from matcher.synth import EXAMPLES, write_example

        if args.example not in EXAMPLES:
            raise InstanceError([Problem("--example", f"unknown example {args.example!r}; expected one of {', '.join(EXAMPLES)}")])
        folder = write_example(args.example, args.out / "instance", seed=args.seed)
    else:
        folder = args.folder
    instance = read_instance(folder)
    params = read_params(folder, **overrides)
    require_travel_times(instance, params)
    lookahead: dict | None = None
    if args.policy == "lookahead":
        from matcher.explain import explain_proposal
        from matcher.lookahead import History, propose, read_history, weeks_left_in_period

        history = read_history(args.history, params.as_of) if args.history is not None else History()
        result = propose(instance, params, history, params.as_of.toordinal() // 7, time_limit=args.time_limit,
                         seed=args.seed, weeks_left=max(0, weeks_left_in_period(params.as_of) - 1))
        rules = result.rules
        proposal = explain_proposal(rules, result.proposal, args.lang, prices=result.prices)
        lookahead = {"quota_prices": result.prices, **result.info,
                     "why": ("quota price per municipality (0-1): the average dual price of its quota in linear "
                             "programmes coupling the permits expected over the rest of the period (rates from the "
                             "history file) within the quota left; quota used for anything but an in-time coupling "
                             "costs reserve_days x price per person" if history.weeks else
                             "no history given: no quota is priced and no home is expected")}
    elif args.history is not None:
        raise InstanceError([Problem("--history", "is only used with --policy lookahead")])
    else:
        solution = solve(instance, params, solver=args.solver, time_limit=args.time_limit, seed=args.seed, workers=args.workers,
                         lang=args.lang)
        proposal, rules = solution, solution.rules
    csv_path, json_path = write_proposal(rules, proposal, args.out)
    if lookahead is not None:
        import json

        content = json.loads(json_path.read_text(encoding="utf-8"))
        content["lookahead"] = lookahead
        json_path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(render_summary(rules, proposal))
    print(f"wrote {csv_path} and {json_path}")
    if args.no_check:
        return EXIT_OK
    from matcher.check import check_files

    report = check_files(folder, csv_path, as_of=params.as_of, max_km=args.max_km, max_minutes=args.max_minutes)
    if not report.ok:
        print(f"independent check: {len(report.violations)} violation(s)", file=sys.stderr)
        for line in report.violations:
            print(f"  {line}", file=sys.stderr)
        return EXIT_VIOLATIONS
    if report.levels != proposal.levels.as_dict():
        print(f"independent check: levels differ: checker {report.levels}, solver {proposal.levels.as_dict()}", file=sys.stderr)
        return EXIT_VIOLATIONS
    print("independent check: valid, levels agree")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from matcher.check import check_files

    report = check_files(args.folder, args.proposal, as_of=args.as_of, max_km=args.max_km, max_minutes=args.max_minutes)
    for line in report.violations:
        print(line)
    levels = ", ".join(f"{k} {v}" for k, v in report.levels.items())
    print(f"levels: {levels}")
    print("valid" if report.ok else f"{len(report.violations)} violation(s)")
    return EXIT_OK if report.ok else EXIT_VIOLATIONS


def render_summary(rules: Rules, proposal: Proposal) -> str:
    """A readable terminal summary of a proposal."""
    from matcher.write import summary

    s = summary(rules, proposal)
    a = s["actions"]
    proven = s["proven"]
    lv = s["levels"]

    def mark(name: str) -> str:
        return "proven optimal" if proven[name] else "not proven"

    gap = "" if s["gap"] is None else f", bound {s['bound']:.0f}, gap {100 * s['gap']:.2f}%"
    od = s["overdue_person_days"]
    lines = [
        f"status        {s['status']} ({s['solver']}, {s['runtime_s']:.2f} s)",
        f"housed        {a['house']['persons']:>6} persons in {a['house']['households']} households",
        f"coupled       {a['couple']['persons']:>6} persons in {a['couple']['households']} households",
        f"waiting       {a['wait']['persons']:>6} persons in {a['wait']['households']} households",
        f"overdue       {od['before']:>6} person-days past the norm before, {od['after']} after",
        f"person-moves  {lv['moves']:>6}",
        "levels",
        *(f"  {i} {level.label:<14} {lv[level.name]:>10}  {mark(level.name)}{gap if i == len(LEVELS) else ''}"
          for i, level in enumerate(LEVELS, start=1)),
    ]
    if s["reasons"]:
        lines.append("reasons       " + ", ".join(f"{k} {v}" for k, v in s["reasons"].items()))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

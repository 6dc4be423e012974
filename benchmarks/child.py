"""One benchmark run, in its own process: read an instance folder, solve, write the proposal.

``python -m benchmarks.child INSTANCE_DIR OUT_DIR --solver NAME --time-limit S --seed N --workers W``

Writes ``OUT_DIR/proposal.csv`` and ``summary.json`` (:func:`matcher.write.write_proposal`) and
``OUT_DIR/result.json`` with what the solver reported and the phase timings.  The parent
(:mod:`benchmarks.runner`) measures wall time and memory from outside and runs the checker.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.child")
    p.add_argument("instance_dir")
    p.add_argument("out_dir")
    p.add_argument("--solver", required=True)
    p.add_argument("--time-limit", type=float, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=1)
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    from matcher.exceptions import LocksInfeasibleError
    from matcher.read import read_instance, read_params
    from matcher.solvers import SOLVERS, solve
    from matcher.write import write_proposal

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    instance = read_instance(args.instance_dir)
    params = read_params(args.instance_dir)
    t_read = time.perf_counter()
    result: dict = {"solver": args.solver, "exact": bool(getattr(SOLVERS[args.solver], "exact", False))}
    try:
        proposal = solve(instance, params, solver=args.solver, time_limit=args.time_limit,
                         seed=args.seed, workers=args.workers)
    except LocksInfeasibleError as exc:
        result.update(status="infeasible", message=str(exc))
        proposal = None
    t_solve = time.perf_counter()
    if proposal is not None:
        write_proposal(proposal.rules, proposal, out)
        result.update(
            status=proposal.status.value,
            levels=proposal.levels.as_dict(),
            proven=list(proposal.proven),
            bound=proposal.bound,
            gap=proposal.gap,
            runtime_s=proposal.runtime_s,
            message=proposal.message,
            stats=proposal.stats,
        )
    t_write = time.perf_counter()
    result["phases_s"] = {"read": t_read - t0, "solve": t_solve - t_read, "write": t_write - t_solve}
    result["maxrss_self_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["maxrss_children_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    (out / "result.json").write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

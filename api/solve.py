"""One engine run, free of the database and of HTTP: what a proposal job computes.

:func:`run` solves an instance, writes the rows of ``proposal.csv`` and ``summary.json``, and
passes the proposal through the independent checker (:func:`matcher.check.check_proposal`): a
proposal that breaks a rule is never stored.  :func:`run_in_child` does the same in a child
process that dies with its parent (Linux ``PR_SET_PDEATHSIG``), so a long solve neither blocks
the server nor outlives it.  This module imports only :mod:`matcher`: the child stays light.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import signal
import sys
import traceback
from typing import Any

from matcher.models import Instance, Params

PR_SET_PDEATHSIG = 1


class EngineFailure(Exception):
    """The engine could not produce a valid proposal; the message says why."""


def run(instance: Instance, params: Params, solver: str, time_limit: float) -> dict[str, Any]:
    """Solve and check; ``{"rows": [...], "summary": {...}}``.  Raises :class:`EngineFailure`."""
    from matcher.check import ProposalLine, check_proposal
    from matcher.exceptions import LocksInfeasibleError, MatcherError
    from matcher.rules import Rules
    from matcher.solvers import solve
    from matcher.write import proposal_rows, summary

    try:
        proposal = solve(instance, params, solver=solver, time_limit=time_limit)
    except LocksInfeasibleError as exc:
        raise EngineFailure(f"the locks cannot all hold: {exc}") from None
    except MatcherError as exc:
        raise EngineFailure(str(exc)) from None
    rules = Rules(instance, params)
    rows = proposal_rows(rules, proposal)
    kinds = {a.household_id: (a.reason_kind.value if a.reason_kind else None) for a in proposal.assignments}
    for row in rows:
        row["reason_kind"] = kinds.get(row["household_id"])
    report = check_proposal(instance, params, [
        ProposalLine(household_id=r["household_id"], action=r["action"], municipality=r["municipality"] or None,
                     dwelling_id=r["dwelling_id"] or None) for r in rows])
    if not report.ok:
        shown = "; ".join(report.violations[:5])
        raise EngineFailure(f"the {proposal.solver} proposal broke {len(report.violations)} rule(s) and was not stored: {shown}")
    data = summary(rules, proposal)
    # Only the municipalities the proposal touches: the others' quota is on /municipalities.
    data["municipalities"] = {code: figures for code, figures in data["municipalities"].items()
                              if figures["persons_coupled"] or figures["persons_housed"]}
    return {"rows": rows, "summary": data}


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except OSError:  # no libc by that name: the parent's wait loop still ends the child
            pass


def _child(connection, instance: Instance, params: Params, solver: str, time_limit: float) -> None:
    _die_with_parent()
    try:
        connection.send(("ok", run(instance, params, solver, time_limit)))
    except EngineFailure as exc:
        connection.send(("failed", str(exc)))
    except BaseException as exc:  # anything else is a bug: report it whole
        connection.send(("failed", f"the engine crashed: {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"))
    finally:
        connection.close()


def start_child(instance: Instance, params: Params, solver: str, time_limit: float):
    """Start :func:`run` in a fresh child process; returns ``(process, connection)``.

    The caller polls ``connection`` for ``("ok", result)`` or ``("failed", message)``."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, instance, params, solver, time_limit),
                              name="matcher-solve", daemon=True)
    process.start()
    sender.close()
    return process, receiver

"""Solver backends behind one interface, and :func:`solve`, the one entry point."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from matcher.exceptions import SolverUnavailableError
from matcher.models import Instance, Params, Proposal, Status
from matcher.objective import evaluate
from matcher.reasons import DEFAULT_LANG, Lang
from matcher.rules import Rules
from matcher.solvers.base import SolveOptions, Solver


class _Registry(Mapping[str, type]):
    """Backend name -> class, each imported on first use, so that one missing solver library
    (ortools, highspy, pulp) only disables the backends that need it."""

    def __init__(self, entries: dict[str, tuple[str, str]]):
        self._entries = entries

    def __getitem__(self, name: str) -> type:
        module, cls = self._entries[name]
        try:
            return getattr(importlib.import_module(module), cls)
        except ImportError as e:
            raise SolverUnavailableError(f"solver {name!r} needs {e.name or 'a library'} that is not installed: {e}") from e

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


SOLVERS: Mapping[str, type] = _Registry({
    "cpsat": ("matcher.solvers.cpsat", "CpSatSolver"),
    "highs": ("matcher.solvers.mip", "HighsSolver"),
    "cbc": ("matcher.solvers.mip", "CbcSolver"),
    "highspy": ("matcher.solvers.highs", "HighspySolver"),
    "cpsat-classes": ("matcher.solvers.cpsat", "CpSatClassesSolver"),
    "greedy": ("matcher.solvers.greedy", "GreedySolver"),
})
AUTO = "highspy"
"""The fastest exact backend on the benchmarks (benchmarks/results/)."""


def get_solver(name: str) -> Solver:
    """The backend called ``name``; ``auto`` picks the fastest exact one."""
    if name == "auto":
        name = AUTO
    if name not in SOLVERS:
        raise SolverUnavailableError(f"unknown solver {name!r}; expected one of auto, {', '.join(SOLVERS)}")
    return SOLVERS[name]()


@dataclass(frozen=True)
class Solution(Proposal):
    """What :func:`solve` returns: the proposal itself, with the :class:`~matcher.rules.Rules` it
    was solved under, which writing (:func:`matcher.write.write_proposal`), explaining
    (:func:`matcher.explain.explain_proposal`) and the summary need, so that no caller builds
    them again.

    Pickled (for instance across a process boundary) it becomes the plain :class:`Proposal`: the
    rules stay in the process that solved."""

    rules: Rules = field(kw_only=True, repr=False, compare=False)

    @classmethod
    def of(cls, proposal: Proposal, rules: Rules) -> Solution:
        return cls(**{f.name: getattr(proposal, f.name) for f in fields(Proposal)}, rules=rules)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Proposal, tuple(getattr(self, f.name) for f in fields(Proposal)))


def solve(instance: Instance, params: Params, solver: str = "auto", time_limit: float | None = 60.0,
          seed: int = 0, workers: int = 1, explain: bool = True, lang: Lang = DEFAULT_LANG) -> Solution:
    """Propose this week's couplings and housing for ``instance`` under ``params``.

    Every assignment carries a plain-sentence reason (in ``lang``, with its values) unless ``explain`` is false.  The result is
    the proposal with the rules it was solved under (:class:`Solution`).
    Raises :class:`~matcher.exceptions.LocksInfeasibleError` when the locks cannot all hold.
    """
    rules = Rules(instance, params)
    backend = get_solver(solver)
    if instance.households:
        proposal = backend.solve(rules, SolveOptions(time_limit=time_limit, seed=seed, workers=workers))
    else:
        proposal = nothing_to_decide(rules, backend.name)
    if explain:
        from matcher.explain import explain_proposal

        proposal = explain_proposal(rules, proposal, lang)
    return Solution.of(proposal, rules)


def nothing_to_decide(rules: Rules, solver: str) -> Proposal:
    """The proposal for an instance without households: the empty one, the only proposal there
    is, so optimal on every level (a backend asked to prove that may report its solver's
    "empty model" as unproven, or as a bare heuristic)."""
    levels = evaluate(rules, {})
    return Proposal(assignments=(), status=Status.OPTIMAL, solver=solver, levels=levels, proven=(True, True, True, True),
                    bound=float(levels.quality), message=f"{solver}: no households, nothing to decide; every level optimal")


__all__ = ["AUTO", "SOLVERS", "Solution", "SolveOptions", "Solver", "get_solver", "solve"]

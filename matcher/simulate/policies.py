"""Policies: who decides each week's proposal.

A policy is any object with a ``name`` and a ``propose(instance, params, week)`` method that returns
a :class:`~matcher.models.Proposal` valid under spec §4.  Two are built in:

- ``greedy``: today's practice, first come first served (:mod:`matcher.solvers.greedy`);
- ``weekly``: the exact engine every week (``solver`` and ``time_limit`` of the config).

To add one, write a factory that takes the :class:`~matcher.simulate.config.SimConfig` and
register it::

    from matcher.simulate.policies import register_policy

    @register_policy("nearest-first")
    def nearest_first(config):
        return MyPolicy(...)

The simulator applies whatever the policy proposes (after refusals), so a policy may also keep
state between weeks (it is built once per run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from matcher.exceptions import MatcherError
from matcher.models import Instance, Params, Proposal
from matcher.simulate.config import SimConfig


class Policy(Protocol):
    """Decides the proposal of one week."""

    name: str

    def propose(self, instance: Instance, params: Params, week: int) -> Proposal:
        """This week's proposal for ``instance`` (the waiting households, the homes on offer and the
        quota left) under ``params``."""
        ...


PolicyFactory = Callable[[SimConfig], Policy]

POLICIES: dict[str, PolicyFactory] = {}
"""Every registered policy by name."""


def register_policy(name: str) -> Callable[[PolicyFactory], PolicyFactory]:
    """Register a policy factory under ``name`` (a decorator)."""

    def decorate(factory: PolicyFactory) -> PolicyFactory:
        POLICIES[name] = factory
        return factory

    return decorate


def make_policy(config: SimConfig) -> Policy:
    """The policy of ``config``; :class:`MatcherError` for an unknown name."""
    try:
        factory = POLICIES[config.policy]
    except KeyError:
        raise MatcherError(f"unknown policy {config.policy!r}; expected one of {', '.join(POLICIES)}") from None
    return factory(config)


@dataclass
class SolverPolicy:
    """A policy that calls :func:`matcher.solvers.solve` with one backend every week."""

    name: str
    solver: str
    time_limit: float | None
    seed: int = 0

    def propose(self, instance: Instance, params: Params, week: int) -> Proposal:
        from matcher.solvers import solve

        return solve(instance, params, solver=self.solver, time_limit=self.time_limit, seed=self.seed,
                     workers=1, explain=False)


@register_policy("greedy")
def greedy(config: SimConfig) -> Policy:
    """Today's practice: first come first served, nearest municipality with quota, first home that fits."""
    return SolverPolicy("greedy", "greedy", None)


@register_policy("weekly")
def weekly(config: SimConfig) -> Policy:
    """The exact engine each week, with the config's backend and per-week time limit."""
    return SolverPolicy("weekly", config.solver, config.time_limit, config.seed)

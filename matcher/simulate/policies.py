"""Policies: who decides each week's proposal.

A policy is any object with a ``name`` and a ``propose(instance, params, week)`` method that returns
a :class:`~matcher.models.Proposal` valid under docs/contract.md §4.  Built in:

- ``greedy``: today's practice, first come first served (:mod:`matcher.solvers.greedy`);
- ``weekly``: the exact engine every week (``solver`` and ``time_limit`` of the config);
- ``lookahead``: the look-ahead mode (:mod:`matcher.lookahead`);
- ``hindsight``: the offline optimum of the run, replayed (:mod:`matcher.hindsight`): a bound.

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
from dataclasses import dataclass, field
from typing import Any, Protocol

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


PRIOR_WEEKS = 13
"""Weeks of offer and permit history the ``lookahead`` policy starts with (the quarter before the
run, drawn from the same sampler as the run but from streams of their own: the past, not the
weeks to come)."""


@dataclass
class LookaheadPolicy:
    """The look-ahead mode (:mod:`matcher.lookahead`): keeps the history of offers and permits,
    prices the quota from it and proposes with the half-year in view."""

    name: str
    time_limit: float | None
    seed: int
    history: Any
    settings: Any
    prices: dict[int, dict[str, float]]
    home_prices: dict[int, Any] = field(default_factory=dict)
    """The transport programme's prices each week (:class:`matcher.lookahead.HomePrices`, or None)."""
    plans: dict[int, str] = field(default_factory=dict)
    """What the sampled plans of each week were (``8 sampled plans, N columns, S s``, ``not made``
    or ``off``)."""

    def propose(self, instance: Instance, params: Params, week: int) -> Proposal:
        from matcher.lookahead import propose

        self.history.observe(instance)
        result = propose(instance, params, self.history, week, self.settings, self.time_limit, self.seed)
        self.prices[week] = result.prices
        self.home_prices[week] = result.home_prices
        self.plans[week] = result.info["plan"]
        return result.proposal

    def describe(self) -> dict[str, Any]:
        """The settings and the quota prices used each week, and why (for ``run.json``)."""
        return {
            "name": self.name,
            "settings": self.settings.as_dict(),
            "quota_prices_by_week": {str(w): p for w, p in sorted(self.prices.items())},
            "plans_by_week": {str(w): p for w, p in sorted(self.plans.items())},
            "why": ("quota price per municipality (0-1): the average dual price of its quota in linear "
                    "programmes that couple the permits expected over the rest of the period (rates from "
                    "the history of permits, never the weeks to come) within the quota left; using a "
                    "person of quota for anything but an in-time coupling costs reserve_days x price"),
        }


def prior_history(config: SimConfig, weeks: int = PRIOR_WEEKS) -> Any:
    """The offers and permits of the ``weeks`` before the run (example regions; a folder run
    starts with no history and learns from the weeks it simulates)."""
    import datetime as dt

    from matcher.lookahead import History
    from matcher.simulate.arrivals import rounded_count, stream
    from matcher.simulate.config import start_date
    from matcher.synth import MEAN_HOUSEHOLD_SIZE, Sampler

    history = History()
    if config.folder is not None:
        return history
    sampler = Sampler.for_example(config.region)
    first = start_date(config)
    for k in range(weeks, 0, -1):
        as_of = first - dt.timedelta(days=7 * k)
        rng = stream(config.seed, "history-homes", k)
        n = rounded_count(rng, sampler.dwellings_per_week * config.supply)
        homes = [sampler.dwelling(rng, f"p{k:03d}-{i:04d}", as_of) for i in range(n)]
        rng = stream(config.seed, "history-arrivals", k)
        n = rounded_count(rng, sampler.persons_per_week * config.arrivals / MEAN_HOUSEHOLD_SIZE)
        permits = [sampler.household(rng, f"q{k:03d}-{i:04d}", as_of - dt.timedelta(days=rng.randint(1, 7)))[0]
                   for i in range(n)]
        history.add_week(homes, permits)
    return history


@register_policy("lookahead")
def lookahead(config: SimConfig) -> Policy:
    """The look-ahead mode: couples each household at its 14-day deadline where a fitting home is
    expected soonest, paces the quota over the period, houses by overdue days still to accrue."""
    from matcher.lookahead import LookaheadSettings

    return LookaheadPolicy("lookahead", config.time_limit, config.seed, prior_history(config), LookaheadSettings(), {})


@register_policy("hindsight")
def hindsight(config: SimConfig) -> Policy:
    """The hindsight optimum (:mod:`matcher.hindsight`): one integer programme over the whole run
    that knows every permit and home in advance, replayed week by week; a bound, not a policy."""
    from matcher.hindsight import HindsightPolicy

    if config.answer_share > 0:
        # Homes that answer coupling depend on the couplings the programme would choose; it plans
        # over the homes as drawn, so its plan would not match the homes the replay offers.
        raise MatcherError(f"the hindsight optimum needs answer_share 0 (got {config.answer_share:g}): it plans "
                           "over the homes as drawn and does not model homes that answer coupling")
    return HindsightPolicy("hindsight", config)


@register_policy("hindsight14")
def hindsight14(config: SimConfig) -> Policy:
    """The hindsight optimum that also keeps COA's 14-day coupling obligation as the look-ahead
    policy does (:data:`matcher.hindsight.COUPLING_NOTE`): a bound for policies that couple in time."""
    from matcher.hindsight import HindsightPolicy

    if config.answer_share > 0:
        raise MatcherError(f"the hindsight optimum needs answer_share 0 (got {config.answer_share:g}): it plans "
                           "over the homes as drawn and does not model homes that answer coupling")
    return HindsightPolicy("hindsight14", config, coupling=True)


@register_policy("hindsight-rule")
def hindsight_rule(config: SimConfig) -> Policy:
    """The hindsight optimum that keeps COA's 14-day coupling obligation as a rule
    (:data:`matcher.hindsight.RULE_NOTE`): a bound for every policy that keeps the rule."""
    from matcher.hindsight import HindsightPolicy

    if config.answer_share > 0:
        raise MatcherError(f"the hindsight optimum needs answer_share 0 (got {config.answer_share:g}): it plans "
                           "over the homes as drawn and does not model homes that answer coupling")
    return HindsightPolicy("hindsight-rule", config, coupling=True, rule=True)

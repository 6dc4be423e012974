"""The benchmark instances: the three synthetic examples, a scale curve and a stress case.

``twente``, ``hart-van-brabant`` and ``nl`` are :func:`matcher.synth.make_example` with the given
seed.  The ``scale-*`` cases and ``stress`` are the ``nl`` generator with other counts:

* households: the case's count (``scale-1k`` = 1,000 ... ``scale-50k`` = 50,000; ``stress`` = 50,000);
* homes: in ``nl``'s ratio (:data:`matcher.synth.NL_DWELLINGS` / :data:`matcher.synth.NL_HOUSEHOLDS`)
  for ``scale-*``, 20,000 for ``stress``;
* taakstelling: every municipality's quota (and AMV part) times ``households / NL_HOUSEHOLDS``, so
  quota stays in ``nl``'s proportion to the people waiting (unscaled, 50,000 households would leave
  every municipality far below zero quota and the coupling part of the problem would vanish).

Everything else (municipalities, locations, size mix, waits, dwelling kinds, travel times) is
``synth``'s own code and constants: :func:`scaled_nl` is :func:`matcher.synth.make_example` with its
``households``, ``dwellings`` and ``quota_factor`` keywords; with the counts at ``nl``'s own values
it is exactly ``make_example("nl", seed)`` (tested in ``tests/test_bench_smoke.py``).

Note: ``synth`` gives every municipality with a taakstelling at least one regular home (338 of them
for ``nl``), so ``scale-1k`` gets more homes than its ratio asks (the runner records the real count).
"""

from __future__ import annotations

from pathlib import Path

from matcher import synth
from matcher.models import Instance, Params
from matcher.read import write_instance

EXAMPLES: tuple[str, ...] = ("twente", "hart-van-brabant", "nl")
"""Straight from :func:`matcher.synth.make_example`."""

SCALE: dict[str, int] = {
    "scale-1k": 1_000,
    "scale-2k": 2_000,
    "scale-5k": 5_000,
    "scale-10k": 10_000,
    "scale-20k": 20_000,
    "scale-50k": 50_000,
}
"""Scale-curve cases: waiting households; homes in ``nl``'s ratio."""

STRESS_HOUSEHOLDS = 50_000
STRESS_DWELLINGS = 20_000

INSTANCES: tuple[str, ...] = (*EXAMPLES, "stress", *SCALE)
"""Every instance name the runner accepts, in report order."""


def nl_ratio_dwellings(households: int) -> int:
    """Homes for ``households`` in the ``nl`` example's ratio of homes to households."""
    return round(households * synth.NL_DWELLINGS / synth.NL_HOUSEHOLDS)


def scaled_nl(households: int, dwellings: int, seed: int = 0, name: str = "nl") -> tuple[Instance, Params]:
    """The ``nl`` example generated with ``households`` households and ``dwellings`` homes, the
    taakstelling scaled by ``households / NL_HOUSEHOLDS`` (see the module docstring)."""
    return synth.make_example("nl", seed, households=households, dwellings=dwellings,
                              quota_factor=households / synth.NL_HOUSEHOLDS, label=name)


def build(name: str, seed: int = 0) -> tuple[Instance, Params]:
    """Instance ``name`` (one of :data:`INSTANCES`) with ``seed``."""
    if name in EXAMPLES:
        return synth.make_example(name, seed)
    if name == "stress":
        return scaled_nl(STRESS_HOUSEHOLDS, STRESS_DWELLINGS, seed, name)
    if name in SCALE:
        n = SCALE[name]
        return scaled_nl(n, nl_ratio_dwellings(n), seed, name)
    raise ValueError(f"unknown instance {name!r}; expected one of {', '.join(INSTANCES)}")


def write(name: str, seed: int, folder: str | Path) -> tuple[Path, Instance]:
    """Build instance ``name`` and write it (with ``params.toml``) to ``folder``."""
    instance, params = build(name, seed)
    return write_instance(instance, folder, params), instance

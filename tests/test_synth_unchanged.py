"""The synthetic data stay what they were: fingerprints of the examples, the benchmarks' scaled
instances, the simulator's weekly draws and a short greedy run, against the ones stored in
``tests/data/synth_fingerprints.json``.

A change to the calibration, to the order of the draws or to the models changes a fingerprint.
When that is the intent, write the new ones with ``python tests/test_synth_unchanged.py`` from the
repository root and say in the commit why the data changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

STORED = Path(__file__).parent / "data" / "synth_fingerprints.json"


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()


def _example(name: str, seed: int) -> str:
    from matcher.synth import make_example

    instance, params = make_example(name, seed)
    return _digest((instance, instance.name, params))


def _bench(name: str, seed: int) -> str:
    from benchmarks.instances import build

    instance, params = build(name, seed)
    return _digest((instance, instance.name, params))


def _draws(name: str, seed: int) -> str:
    """Four weeks of permits and homes, the starting stock scaled down and up, and homes answering coupling."""
    from matcher.simulate.arrivals import answer_coupling, starting_homes, weekly_homes, weekly_permits
    from matcher.synth import AS_OF, Sampler, make_example

    sampler = Sampler.for_example(name)
    instance, _ = make_example(name, seed)
    sought: dict[str, list] = {}
    for h in instance.households:
        if h.coupled_to is not None:
            sought.setdefault(h.coupled_to, []).append(h)
    out: list[object] = [sampler.persons_per_week, sampler.dwellings_per_week, sorted(sampler.quota.items())]
    for week in range(4):
        monday = AS_OF + dt.timedelta(days=7 * week)
        homes = weekly_homes(sampler, seed, week, monday, 1.0)
        out += [weekly_permits(sampler, seed, week, monday, 1.0), homes,
                answer_coupling(sampler, homes, seed, week, 0.5, sought)]
    out += [starting_homes(sampler, instance.dwellings, seed, supply, AS_OF) for supply in (0.32, 1.5)]
    return _digest(out)


def _simulation(name: str, seed: int) -> str:
    """Every number (timing aside) of eight greedy weeks, with supply answering coupling."""
    from matcher.simulate import SimConfig, simulate

    result = simulate(SimConfig(region=name, weeks=8, policy="greedy", seed=seed, answer_share=0.3))
    return hashlib.sha256(json.dumps(result.numbers(), sort_keys=True, default=str).encode("utf-8")).hexdigest()


CASES: dict[str, tuple[Callable[[str, int], str], str, int]] = {
    "example twente 0": (_example, "twente", 0),
    "example twente 5": (_example, "twente", 5),
    "example hart-van-brabant 0": (_example, "hart-van-brabant", 0),
    "example nl 0": (_example, "nl", 0),
    "bench scale-1k 0": (_bench, "scale-1k", 0),
    "bench scale-2k 3": (_bench, "scale-2k", 3),
    "draws twente 0": (_draws, "twente", 0),
    "draws hart-van-brabant 2": (_draws, "hart-van-brabant", 2),
    "simulation twente 0": (_simulation, "twente", 0),
}


@pytest.mark.parametrize("case", list(CASES))
def test_fingerprint_unchanged(case: str) -> None:
    """The case's data hash to the stored fingerprint."""
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    function, name, seed = CASES[case]
    assert function(name, seed) == stored[case], (
        f"{case}: the synthetic data changed; if on purpose, rewrite {STORED.name} (see this module's docstring)")


def test_every_case_has_a_fingerprint() -> None:
    """The stored file holds exactly the cases above."""
    assert sorted(json.loads(STORED.read_text(encoding="utf-8"))) == sorted(CASES)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    fingerprints = {case: function(name, seed) for case, (function, name, seed) in CASES.items()}
    STORED.write_text(json.dumps(fingerprints, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(fingerprints)} fingerprints to {STORED}")

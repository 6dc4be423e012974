"""Supply that answers coupling (``answer_share``) and the starting stock scaled by ``supply``."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from matcher.cli import main
from matcher.exceptions import MatcherError
from matcher.models import Dwelling, DwellingKind, Household
from matcher.rules import dwelling_fits
from matcher.simulate import SimConfig, simulate
from matcher.simulate.arrivals import answer_coupling, starting_homes, weekly_homes
from matcher.simulate.run import Simulation
from matcher.simulate.sweep import grid_configs, parse_grid, run_dask, run_serial
from matcher.synth import Sampler, make_example

HVB = "hart-van-brabant"


def _fits(h: Household, d: Dwelling) -> bool:
    """Whether the home fits the household, whether or not its residence document is in yet."""
    return dwelling_fits(replace(h, document_ready=True), d)


@pytest.mark.parametrize("bad", [-0.1, 1.01, math.nan])
def test_answer_share_bounds(bad: float) -> None:
    with pytest.raises(MatcherError, match="answer_share must be in \\[0, 1\\]"):
        SimConfig(region=HVB, answer_share=bad)
    with pytest.raises(MatcherError, match="answer_share"):
        grid_configs(SimConfig(region=HVB), parse_grid([f"answer_share=0,{bad}"]), [0], ["greedy"])


def test_answer_share_in_grid_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_grid(["answer_share=0,0.3,0.6"]) == [{"answer_share": 0.0}, {"answer_share": 0.3},
                                                      {"answer_share": 0.6}]
    SimConfig(region=HVB, answer_share=0.0)
    SimConfig(region=HVB, answer_share=1.0)
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", "--region", HVB, "--weeks", "1", "--answer-share", "1.5", "--out", str(tmp_path / "x")])
    assert exit_info.value.code == 2
    assert "--answer-share: '1.5' must be in [0, 1]" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_share_zero_leaves_the_draws() -> None:
    """S = 0 gives the homes exactly as drawn; S > 0 changes only the homes it found for someone,
    and only their kind, size, minimum occupancy and accessibility."""
    run = Simulation(SimConfig(region=HVB, weeks=6, policy="greedy", supply=1.0))
    for _ in range(4):
        run.step()
    sought = run.state.sought()
    assert sum(len(v) for v in sought.values()) > 0
    monday = run.state.start
    drawn = weekly_homes(run.sampler, 0, 4, monday, 1.0)
    same, found = answer_coupling(run.sampler, drawn, 0, 4, 0.0, sought)
    assert same == drawn and found == {}
    answered, found = answer_coupling(run.sampler, drawn, 0, 4, 0.6, sought)
    assert found
    by_id = {h.household_id: h for v in sought.values() for h in v}
    assert len(set(found.values())) == len(found)  # one home per household
    for before, after in zip(drawn, answered):
        assert (after.dwelling_id, after.municipality, after.available_from) == (
            before.dwelling_id, before.municipality, before.available_from)
        if after.dwelling_id in found:
            h = by_id[found[after.dwelling_id]]
            assert before.kind is DwellingKind.REGULAR and h.coupled_to == after.municipality and _fits(h, after)
        else:
            assert after == before
    more, found_more = answer_coupling(run.sampler, drawn, 0, 4, 0.9, sought)
    assert set(found) <= set(found_more)  # one draw per home: a larger share answers a superset


def test_answering_homes_fit_the_coupled_more_often() -> None:
    """Homes offered to a municipality with coupled households waiting fit them more often with
    S = 0.6 than with S = 0, on the same states and the same drawn homes: the share of (home,
    coupled household of its municipality) pairs where the home fits the household, and the share
    of homes that fit one of the three households coupled there longest."""
    run = Simulation(SimConfig(region=HVB, weeks=12, policy="greedy"))
    fits = {0.0: 0, 0.6: 0}
    first = {0.0: 0, 0.6: 0}
    pairs = homes_to_coupled = 0
    for week in range(12):
        run.step()
        sought = run.state.sought()
        coupled = {code: sorted((h for h in run.state.waiting.values() if h.coupled_to == code and not h.amv),
                                key=lambda h: (h.coupling_date, h.household_id)) for code in sought}
        drawn = weekly_homes(run.sampler, 0, week + 1, run.state.start, run.config.supply * 3)
        for share in fits:
            homes, _ = answer_coupling(run.sampler, drawn, 0, week + 1, share, sought)
            fits[share] += sum(_fits(h, d) for d in homes for h in coupled[d.municipality])
            first[share] += sum(any(_fits(h, d) for h in coupled[d.municipality][:3]) for d in homes)
        pairs += sum(len(coupled[d.municipality]) for d in drawn)
        homes_to_coupled += sum(1 for d in drawn if coupled[d.municipality])
    assert pairs > 1000 and homes_to_coupled > 50
    assert fits[0.6] / pairs > fits[0.0] / pairs + 0.02, (fits, pairs)
    assert first[0.6] / homes_to_coupled > first[0.0] / homes_to_coupled + 0.1, (first, homes_to_coupled)


def test_run_with_answering_homes() -> None:
    """In a run with S > 0 each week records the homes found, each fits the household it was found
    for when it is offered, every week is valid, and the same draws come out at S = 0 and S > 0."""
    config = SimConfig(region=HVB, weeks=8, policy="weekly", answer_share=0.6, check=True)
    run = Simulation(config)
    found_total = 0
    for _ in range(8):
        before = set(run.state.offers)
        m = run.step()
        found_total += m.homes_answering
        for did, hid in run.state.found_for.items():
            if did not in before and did in run.state.offers and hid in run.state.waiting:
                assert _fits(run.state.waiting[hid], run.state.offers[did].dwelling)
    assert found_total > 0
    plain = simulate(replace(config, answer_share=0.0, check=False))
    assert [w.homes_offered for w in plain.weeks] == [w.homes_offered for w in run.weeks]
    assert all(w.homes_answering == 0 for w in plain.weeks)


def test_starting_stock_follows_supply() -> None:
    """The example's homes at the start are 3 weeks of the weekly rate: scaled by ``supply``."""
    instance, _ = make_example(HVB, 0)
    homes = instance.dwellings
    sampler = Sampler.for_example(HVB)
    monday = instance.dwellings[0].available_from
    assert starting_homes(sampler, homes, 0, 1.0, monday) == list(homes)
    half, most = starting_homes(sampler, homes, 0, 0.5, monday), starting_homes(sampler, homes, 0, 0.8, monday)
    assert len(half) == round(len(homes) * 0.5) and len(most) == round(len(homes) * 0.8)
    assert set(half) <= set(most) <= set(homes)
    assert [d for d in homes if d in set(half)] == half  # the example's order
    more = starting_homes(sampler, homes, 0, 1.5, monday)
    assert more[: len(homes)] == list(homes) and len(more) == len(homes) + round(len(homes) * 0.5)
    assert len({d.dwelling_id for d in more}) == len(more)
    run = Simulation(SimConfig(region=HVB, weeks=1, policy="greedy", supply=0.32))
    assert len(run.state.offers) == round(len(homes) * 0.32)
    weekly_rate = sampler.dwellings_per_week * 0.32
    assert 2.5 <= len(run.state.offers) / weekly_rate <= 3.5


def test_answer_share_serial_equals_dask() -> None:
    """The same seed gives the same numbers serially and on Dask, with homes answering coupling."""
    pytest.importorskip("distributed")
    configs = grid_configs(SimConfig(region=HVB, weeks=3), parse_grid(["answer_share=0,0.6"]), [1], ["greedy"])
    serial = run_serial(configs)
    dask = run_dask(configs, workers=2, processes=False)
    assert [r.numbers() for r in dask] == [r.numbers() for r in serial]
    assert serial[1].summary["homes_answering"] > 0
    assert serial[0].numbers() != serial[1].numbers()


def test_hindsight_refuses_answering_homes() -> None:
    """The hindsight optimum plans over the homes as drawn: with homes that answer coupling it
    would not be the same run, so it says so instead of replaying a plan that does not fit."""
    with pytest.raises(MatcherError, match="hindsight optimum needs answer_share 0"):
        simulate(SimConfig(region=HVB, weeks=2, policy="hindsight", answer_share=0.3))


def test_sweep_leaves_the_hindsight_out_where_homes_answer() -> None:
    """A sweep over answer_share runs the hindsight only where the share is 0 (it refuses more) and
    says where it left it out; a sweep of nothing but such runs is an error."""
    from matcher.simulate.sweep import hindsight_left_out

    base = SimConfig(region=HVB, weeks=2)
    scenarios = parse_grid(["answer_share=0,0.3,0.6"])
    configs = grid_configs(base, scenarios, [0, 1], ["greedy", "hindsight"])
    assert [(c.answer_share, c.seed, c.policy) for c in configs] == [
        (0.0, 0, "greedy"), (0.0, 0, "hindsight"), (0.0, 1, "greedy"), (0.0, 1, "hindsight"),
        (0.3, 0, "greedy"), (0.3, 1, "greedy"), (0.6, 0, "greedy"), (0.6, 1, "greedy")]
    assert hindsight_left_out(base, scenarios, ["greedy", "hindsight"]) == ["answer_share=0.3", "answer_share=0.6"]
    assert hindsight_left_out(base, scenarios, ["greedy"]) == []
    with pytest.raises(MatcherError, match="hindsight optimum needs answer_share 0"):
        grid_configs(base, parse_grid(["answer_share=0.3"]), [0], ["hindsight"])

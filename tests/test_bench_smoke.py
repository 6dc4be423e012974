"""Smoke test of the benchmark runner (``python -m benchmarks``): a short real run on Twente."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_runner_twente_greedy_and_highs(tmp_path: Path) -> None:
    """One CSV row per run, each checked ok by the independent checker, and a README."""
    results = tmp_path / "results"
    subprocess.run(
        [sys.executable, "-m", "benchmarks", "--instances", "twente", "--solvers", "greedy,highs",
         "--time-limit", "10", "--results", str(results)],
        cwd=ROOT, check=True, timeout=60, capture_output=True,
    )
    with (results / "runs.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["instance"], r["backend"]) for r in rows] == [("twente", "greedy"), ("twente", "highs")]
    for r in rows:
        assert r["status"] in ("optimal", "feasible"), r
        assert r["check_ok"] == "true", r
        assert r["levels_match"] == "true", r
        assert float(r["wall_s"]) > 0 and float(r["peak_mb"]) > 0
        assert r["households"] == "334"
    assert rows[1]["proven_levels"].startswith("1,2,3")
    readme = (results / "README.md").read_text(encoding="utf-8")
    assert "| twente |" in readme and "DISAGREEMENT" not in readme


def test_scaled_generator_reproduces_nl() -> None:
    """With nl's own counts the scaled generator is exactly make_example("nl")."""
    from benchmarks.instances import scaled_nl
    from matcher import synth

    assert scaled_nl(synth.NL_HOUSEHOLDS, synth.NL_DWELLINGS, seed=0) == synth.make_example("nl", 0)


def test_scale_instance_counts() -> None:
    """A scale case has its households, about nl's ratio of homes, and its own name."""
    from benchmarks.instances import build

    instance, _ = build("scale-2k", 0)
    assert instance.name == "scale-2k"
    assert len(instance.households) == 2_000
    assert len(instance.dwellings) == 518


def test_report_flags_disagreement(tmp_path: Path) -> None:
    """Two exact backends proving different levels 1-3 are flagged loudly."""
    from benchmarks.report import FIELDS, render

    def row(backend: str, proven: str, levels: tuple[int, int, int, int]) -> dict[str, str]:
        r = dict.fromkeys(FIELDS, "")
        r.update(instance="nl", households="9264", dwellings="2400", backend=backend, status="optimal",
                 proven_levels=proven, overdue_relief=str(levels[0]), placement=str(levels[1]),
                 moves=str(levels[2]), quality=str(levels[3]), wall_s="1", peak_mb="100",
                 check_ok="true", levels_match="true")
        return r

    agree = render([row("highs", "1,2,3,4", (10, 5, 2, 7)), row("cpsat", "1,2,3,4", (10, 5, 2, 7))])
    assert "DISAGREEMENT" not in agree
    text = render([row("highs", "1,2,3,4", (10, 5, 2, 7)), row("cpsat", "1,2,3", (10, 5, 3, 7))])
    assert "DISAGREEMENT on `nl`" in text


def test_lookahead_gap_settings_are_parsed_and_checked() -> None:
    """``--set KEY=VALUE`` of the look-ahead gap benchmark takes the setting's own type and names
    an unknown key."""
    import argparse

    import pytest

    from benchmarks.lookahead_gap import _seeds, _setting

    assert _setting("guard=2") == ("guard", 2.0)
    assert _setting("samples=3") == ("samples", 3)
    assert _setting("window_to_period_end=false") == ("window_to_period_end", False)
    assert _seeds("0-2") == [0, 1, 2] and _seeds("4,7") == [4, 7]
    with pytest.raises(argparse.ArgumentTypeError, match="unknown setting 'gaurd'"):
        _setting("gaurd=2")

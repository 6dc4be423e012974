"""An instance without households (a header-only ``households.csv``, or a week in which the
service has nobody waiting or coupled): the empty proposal is the only one there is, so every
backend reports it ``optimal`` with every level proven, and the independent checker accepts it.
Before, HiGHS called level 4 "not proven" (its solver answers an empty model with status
``Empty``) and greedy claimed nothing, both with status ``feasible``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from matcher.check import check_proposal, lines_of
from matcher.exceptions import SolverUnavailableError
from matcher.models import Status
from matcher.read import read_instance, read_params, write_instance
from matcher.solvers import SOLVERS, solve
from matcher.synth import make_example


@pytest.fixture(scope="module")
def empty_folder(tmp_path_factory) -> Path:
    """The Twente example with only the header left in households.csv (its homes, quota and
    municipalities stay: level 4 counts the idle places of the homes)."""
    instance, params = make_example("twente", 0)
    folder = write_instance(instance, tmp_path_factory.mktemp("empty") / "instance", params)
    households = folder / "households.csv"
    households.write_text(households.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("backend", list(SOLVERS))
def test_no_households_is_optimal_on_every_level(empty_folder, backend):
    instance = read_instance(empty_folder)
    params = read_params(empty_folder)
    assert instance.households == () and instance.dwellings
    try:
        proposal = solve(instance, params, solver=backend, time_limit=10)
    except SolverUnavailableError as exc:
        pytest.skip(str(exc))
    assert proposal.assignments == ()
    assert (proposal.status, proposal.proven) == (Status.OPTIMAL, (True, True, True, True)), proposal.message
    assert proposal.bound == proposal.levels.quality and proposal.gap == 0.0
    assert proposal.levels.quality > 0  # the idle places of the homes: a constant, but not nothing
    report = check_proposal(instance, params, lines_of(proposal))
    assert report.ok, report.violations
    assert [report.levels[name] for name in ("overdue_relief", "placement", "moves", "quality")] == list(proposal.levels.values())


def test_the_command_line_says_optimal(empty_folder, tmp_path):
    """``matcher propose`` on the header-only households.csv: exit 0, status optimal, every
    level "proven optimal", and the check passes."""
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "matcher", "propose", str(empty_folder), "--as-of", "2023-07-03",
                          "--out", str(out)], check=False, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal" and all(summary["proven"].values()), summary
    assert "not proven" not in run.stdout and run.stdout.count("proven optimal") == 4, run.stdout
    check = subprocess.run([sys.executable, "-m", "matcher", "check", str(empty_folder), str(out / "proposal.csv"),
                            "--as-of", "2023-07-03"], check=False, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr

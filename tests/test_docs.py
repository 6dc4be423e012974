"""The documentation keeps up with the code: ``docs/contract.md`` names every file, column,
parameter, level, status, reason kind, ``summary.json`` key and command-line option there is,
and every link in the README and ``docs/`` leads to a file and heading that exist inside the
repository."""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path

import pytest

from matcher import cli
from matcher.lookahead import HISTORY_COLUMNS
from matcher.models import LEVELS, Params, ReasonKind, Status, Weights
from matcher.read import TABLES, read_instance, read_params
from matcher.reasons import CATALOGUE
from matcher.solvers import solve
from matcher.write import PROPOSAL_HEADER, REASON_COLUMNS, summary

REPO = Path(__file__).resolve().parent.parent
CONTRACT = REPO / "docs" / "contract.md"
TINY = REPO / "tests" / "data" / "valid" / "tiny"
PAGES = [REPO / "README.md", REPO / "data" / "README.md", REPO / "benchmarks" / "PROTOCOL.md",
         REPO / "tests" / "cases" / "README.md", *sorted((REPO / "docs").glob("*.md"))]

pytestmark = pytest.mark.skipif(not CONTRACT.exists(), reason="docs/ is not installed with the package")


def _contract() -> str:
    return CONTRACT.read_text(encoding="utf-8")


def _named(name: str) -> bool:
    """Whether the contract names ``name`` as code: in backticks (alone or in a list) or in a
    fenced code block."""
    text = _contract()
    word = rf"(?<![\w-]){re.escape(name)}(?![\w-])"
    blocks = "\n".join(re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M))
    return re.search(rf"`[^`\n]*{word}[^`\n]*`", text) is not None or re.search(word, blocks) is not None


def _options() -> list[tuple[str, str]]:
    """(command, long option) for every option of every ``matcher`` subcommand, nested ones too."""
    found: list[tuple[str, str]] = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{path} {name}".strip())
            else:
                found.extend((path, s) for s in action.option_strings if s.startswith("--") and s != "--help")

    walk(cli.build_parser(), "")
    return found


def test_contract_names_every_instance_file_and_column():
    """Every file and column the instance reader knows is in the contract."""
    missing = [f"{t.file}: {c.name}" for t in TABLES for c in t.columns if not _named(c.name)]
    missing += [t.file for t in TABLES if not _named(t.file)]
    assert not missing, f"docs/contract.md does not name {missing}"


def test_contract_names_every_parameter_and_weight():
    """Every field of Params and Weights is in the contract."""
    names = [f.name for f in dataclasses.fields(Params)] + [f.name for f in dataclasses.fields(Weights)]
    missing = [n for n in names if not _named(n)]
    assert not missing, f"docs/contract.md does not name {missing}"


def test_contract_names_levels_statuses_reasons_and_output_columns():
    """Every level, status, reason kind, message-catalogue key, proposal.csv and history column is in the contract."""
    names = [level.name for level in LEVELS] + [s.value for s in Status] + [k.value for k in ReasonKind]
    names += PROPOSAL_HEADER + REASON_COLUMNS + list(HISTORY_COLUMNS) + list(CATALOGUE)
    missing = [n for n in names if not _named(n)]
    assert not missing, f"docs/contract.md does not name {missing}"


def test_contract_names_every_summary_key():
    """Every key of summary.json (and of its municipality entries) is in the contract."""
    instance = read_instance(TINY)
    solution = solve(instance, read_params(TINY), solver="greedy")
    data = summary(solution.rules, solution)
    keys = list(data) + [key for figures in data["municipalities"].values() for key in figures]
    keys += list(data["overdue_person_days"])
    missing = sorted({k for k in keys if not _named(k)})
    assert not missing, f"docs/contract.md does not name summary.json keys {missing}"


def test_contract_names_every_command_line_option():
    """Every subcommand and every long option of the command line is in the contract."""
    options = _options()
    assert ("propose", "--time-limit") in options and ("sweep", "--grid") in options
    missing = [f"{command} {option}" for command, option in options if not _named(option)]
    commands = {command.split()[0] for command, _ in options if command}
    missing += [c for c in sorted(commands) if f"matcher {c}" not in _contract()]
    assert not missing, f"docs/contract.md does not name {missing}"


def _headings(page: Path) -> set[str]:
    """The anchors GitHub gives the headings of a markdown page."""
    anchors = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        found = re.match(r"#{1,6} (.*)", line)
        if found:
            anchors.add(re.sub(r"[^\w\- ]", "", found[1].strip().lower()).replace(" ", "-"))
    return anchors


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_links_resolve_inside_the_repository(page: Path):
    """Every relative link of the page leads to a file in the repository, and to a heading there."""
    broken = []
    for found in re.finditer(r"\]\(([^)#\s]*)(#[^)\s]*)?\)", page.read_text(encoding="utf-8")):
        target, anchor = found[1], found[2]
        if re.match(r"[a-z]+:", target):
            continue
        path = (page.parent / target).resolve() if target else page
        if not path.exists() or REPO not in path.parents:
            broken.append(found[0])
        elif anchor and path.suffix == ".md" and anchor[1:] not in _headings(path):
            broken.append(found[0])
    assert not broken, f"{page.relative_to(REPO)}: broken links {broken}"


def test_nothing_points_outside_the_repository():
    """No page, module or test refers to the reference folder that lived beside the repository."""
    outside = "shared" + "/"
    files = [*PAGES, *(REPO / "matcher").rglob("*.py"), *(REPO / "api").rglob("*.py"), *(REPO / "tests").rglob("*.py")]
    hits = [f"{f.relative_to(REPO)}:{n}" for f in files
            for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1) if outside in line]
    assert not hits, f"references to {outside}: {hits}"

"""The command line on malformed input (docs/contract.md §7): exit code 2, the located problem on stderr,
and no proposal written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

INVALID = Path(__file__).parent / "data" / "invalid"
REPO = Path(__file__).parent.parent
EXIT_INVALID = 2


@pytest.mark.parametrize("rule", ["unknown_column", "coupling_before_permit", "params_unknown_key", "size_too_large",
                                  "capacity_too_large"])
def test_propose_refuses_invalid_folder(tmp_path: Path, rule: str):
    """`matcher propose` on a malformed folder exits 2, prints file:row:column on stderr, writes nothing."""
    folder = INVALID / rule
    expected = (folder / "expected.txt").read_text(encoding="utf-8").strip()
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "matcher", "propose", str(folder), "--as-of", "2023-07-03", "--out", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert result.returncode == EXIT_INVALID, result.stderr
    assert expected in result.stderr.splitlines()
    assert not (out / "proposal.csv").exists()
    assert not (out / "summary.json").exists()

"""Schemathesis' coverage phase over the running service (its command line against a real
server on loopback), with a COA and a municipality token, against SQLite and PostgreSQL: every
operation with the boundary and just-wrong values of each field (nulls, out-of-range numbers,
missing required fields, undocumented methods), deterministic and bounded (about 1,900 requests
a token, some 25 s).  No answer may be a 5xx or outside the schema, an undocumented method must
be a 405 naming the documented ones in ``Allow``, and an ``OPTIONS`` must name them too.

This phase found what the in-process test (tests/api/test_schemathesis.py, random examples)
did not: ``{"amv_backlog": null}`` on the quota was a 500, and a 405 named the methods of one
route only."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from api_testing import enschede_world, make_tokens, reset, serve_in_thread

SCHEMATHESIS = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "response_headers_conformance,unsupported_method,allow_header_conformance")


@pytest.fixture
def served(service):
    """A database with a finished proposal, the app on a free loopback port, and the tokens."""
    from api.worker import run_pending

    reset(service.engine)
    tokens = make_tokens(service)
    enschede_world(service.client, tokens, lambda: run_pending(service.app.state.sessions, service.settings))
    with serve_in_thread(service.app) as (host, port):
        yield f"http://{host}:{port}", tokens


@pytest.mark.skipif(SCHEMATHESIS is None, reason="the schemathesis command is not installed (pip install '.[test]')")
@pytest.mark.parametrize("who", ["coa", "enschede"])
def test_the_coverage_phase_finds_nothing(served, who, tmp_path):
    url, tokens = served
    run = subprocess.run(
        [SCHEMATHESIS, "run", f"{url}/openapi.json", "--phases", "coverage", "--checks", CHECKS, "--seed", "1",
         "--no-color", "--header", f"Authorization: {getattr(tokens, who)['Authorization']}"],
        check=False, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    summary = run.stdout[run.stdout.find("SUMMARY"):]
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "generated" in summary and "failure" not in summary, summary

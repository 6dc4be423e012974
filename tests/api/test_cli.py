"""`matcher token` and `matcher serve`: tokens made and revoked from the command line work (and
stop working) against the service; a fresh `matcher serve` says where it listens and how to get
the first token."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request

import pytest
from api_testing import MATCHER, database_settings, drop_schema, require_postgres
from fastapi.testclient import TestClient

from api.main import create_app
from matcher.cli import main


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request, tmp_path, monkeypatch):
    if request.param == "postgres":
        require_postgres()
    settings = database_settings(request.param, tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    if settings.db_schema:
        monkeypatch.setenv("MATCHER_DB_SCHEMA", settings.db_schema)
    yield settings
    drop_schema(settings)


def test_token_create_use_revoke(settings, capsys):
    """create prints the token once; it authenticates; list shows it (not the secret); revoke ends it."""
    url = ["--database-url", settings.database_url]
    assert main(["token", "create", *url, "--role", "municipality", "--municipality", "GM0153"]) == 0
    out = capsys.readouterr().out
    secret = next(word for word in out.split() if word.startswith("mt_") and len(word) > 20)
    with TestClient(create_app(settings)) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert me.status_code == 200 and me.json()["municipality"] == "GM0153"
        assert main(["token", "list", *url]) == 0
        listing = capsys.readouterr().out
        assert "GM0153" in listing and secret not in listing and "active" in listing
        assert main(["token", "revoke", *url, "1"]) == 0
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
        events = [line for line in capsys.readouterr().out.splitlines() if "revoked" in line]
        assert events


def test_token_create_refuses_bad_input(settings, capsys):
    """No municipality for a municipality token, an unknown one, a coa token with one: exit 2."""
    url = ["--database-url", settings.database_url]
    assert main(["token", "create", *url, "--role", "municipality"]) == 2
    assert main(["token", "create", *url, "--role", "municipality", "--municipality", "GM9999"]) == 2
    assert main(["token", "create", *url, "--role", "coa", "--municipality", "GM0153"]) == 2
    assert main(["token", "revoke", *url, "42"]) == 2
    err = capsys.readouterr().err
    assert "needs --municipality" in err and "unknown municipality" in err and "no token" in err
    with pytest.raises(SystemExit):
        main(["token", "create", *url, "--role", "mayor"])


def test_serve_on_a_fresh_directory_says_where_and_how_to_get_a_token(tmp_path):
    """`matcher serve --port 0` in an empty directory: SQLite file made, URL and the token command
    printed, /health answers, SIGTERM stops it cleanly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "MATCHER_"))}
    process = subprocess.Popen([MATCHER, "serve", "--port", "0"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "matcher token create --role coa" in line:
                break
        text = "".join(lines)
        assert "listening on http://127.0.0.1:" in text, text
        assert "database: sqlite:///matcher.db" in text and "no tokens yet" in text
        url = text.split("listening on ")[1].split()[0]
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    assert json.load(response) == {"status": "ok", "database": "sqlite"}
                    break
            except OSError:
                import time

                time.sleep(0.1)
        else:
            pytest.fail("the server did not answer /health")
        assert (tmp_path / "matcher.db").is_file()
    finally:
        process.send_signal(signal.SIGTERM)
        rest = process.communicate(timeout=30)[0]
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells it.
    assert process.returncode in (0, -signal.SIGTERM) and "Application shutdown complete" in rest, rest

"""`matcher serve --workers 2`: the processes of one server sign session cookies with one key.

Each request goes over a new connection, so the kernel hands it to either process; before the
fix each process drew its own key and about half the sign-ins and page loads failed.  With
``MATCHER_SESSION_SECRET`` set, a session also survives a restart.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import time
import urllib.parse
from pathlib import Path

from api_testing import MATCHER

from api.config import Settings
from api.db import make_engine, session_factory
from api.services import tokens
from api.services.bootstrap import prepare


class Browser:
    """A cookie jar over fresh connections (one per request)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0].strip('"')
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text


class Serve:
    def __init__(self, cwd: Path, env: dict[str, str], workers: int) -> None:
        self.process = subprocess.Popen([MATCHER, "serve", "--port", "0", "--workers", str(workers), "--no-access-log"],
                                        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in self.process.stdout:
            if "listening on " in line:
                url = line.split("listening on ")[1].split()[0]
                break
        else:
            raise AssertionError("matcher serve ended before it listened")
        host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
        self.host, self.port = host, port
        deadline = time.monotonic() + 60
        ready = 0
        while ready < 2 * workers:  # every process has started (each answers /health)
            try:
                connection = http.client.HTTPConnection(host, port, timeout=5)
                connection.request("GET", "/health")
                ready += connection.getresponse().status == 200
                connection.close()
            except OSError:
                time.sleep(0.2)
            assert time.monotonic() < deadline, "no /health within 60 s"
        time.sleep(1.0)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()


def _environment(tmp_path: Path, **extra: str) -> tuple[dict[str, str], str]:
    url = f"sqlite:///{tmp_path / 'matcher.db'}"
    engine = make_engine(Settings(database_url=url))
    prepare(engine)
    with session_factory(engine)() as session:
        secret = tokens.create_token(session, "municipality", "GM0153", label="Enschede").secret
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "MATCHER_"))}
    env.update(DATABASE_URL=url, MATCHER_WORKER="0", **extra)
    return env, secret


def sign_in(browser: Browser, secret: str) -> None:
    status, _, page = browser.request("GET", "/ui/sign-in")
    assert status == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    status, headers, page = browser.request("POST", "/ui/sign-in", {"token": secret, "csrf": csrf})
    assert status == 303 and headers["location"] == "/ui/municipality/GM0153", (status, page[:300])


def test_two_processes_accept_each_others_sessions(tmp_path):
    """Ten sign-ins and thirty page loads on two processes: every one works."""
    env, secret = _environment(tmp_path)
    server = Serve(tmp_path, env, workers=2)
    try:
        failures = []
        for attempt in range(10):
            browser = Browser(server.host, server.port)
            try:
                sign_in(browser, secret)
            except AssertionError as exc:
                failures.append(f"sign-in {attempt}: {exc}")
                continue
            for _ in range(3):
                status, headers, _ = browser.request("GET", "/ui/municipality/GM0153/homes")
                if status != 200:
                    failures.append(f"page after sign-in {attempt}: {status} {headers.get('location')}")
        assert not failures, failures
    finally:
        server.stop()


def test_a_configured_secret_keeps_sessions_across_a_restart(tmp_path):
    env, secret = _environment(tmp_path, MATCHER_SESSION_SECRET="a key the operator keeps in a vault")
    server = Serve(tmp_path, env, workers=1)
    browser = Browser(server.host, server.port)
    try:
        sign_in(browser, secret)
    finally:
        server.stop()
    server = Serve(tmp_path, env, workers=1)
    try:
        browser.host, browser.port = server.host, server.port
        status, headers, _ = browser.request("GET", "/ui/municipality/GM0153/homes")
        assert status == 200, (status, headers.get("location"))
    finally:
        server.stop()

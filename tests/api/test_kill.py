"""Kill the server in the middle of a job: nothing accepted is lost, and the interrupted job is
reported failed, not left running.

A real `matcher serve` process on a free loopback port, the nl-sized synthetic instance
(9,264 households, 2,400 homes) in its database.  A first proposal (greedy) is finished and
some lines are accepted; a second one (highspy, about a minute on this instance) is running in
its solver process when the server gets SIGKILL.  After a restart the accepted decisions and
what they recorded are all there, the second job is failed with the reason, the solver process
died with the server, and a new job runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from api_testing import MATCHER, database_settings, drop_schema, require_postgres, seed_nl

TIMEOUT = 180


class Server:
    """A `matcher serve` child process and a tiny JSON client for it."""

    def __init__(self, env: dict[str, str], cwd: Path, token: str):
        self.process = subprocess.Popen([MATCHER, "serve", "--port", "0", "--no-access-log"], cwd=cwd, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.token = token
        for line in self.process.stdout:
            if "listening on " in line:
                self.url = line.split("listening on ")[1].split()[0]
                break
        else:
            raise AssertionError("matcher serve ended before it listened")
        deadline = time.monotonic() + 60
        while True:
            try:
                self.call("GET", "/health")
                return
            except OSError:
                assert time.monotonic() < deadline, "no /health within 60 s"
                time.sleep(0.1)

    def call(self, method: str, path: str, body: object | None = None) -> tuple[int, object]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as exc:
            return exc.code, json.load(exc)

    def wait_for(self, job_id: int, states: tuple[str, ...]) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while True:
            status, job = self.call("GET", f"/api/v1/proposals/{job_id}")
            assert status == 200, job
            if job["status"] in states:
                return job
            assert time.monotonic() < deadline, f"job {job_id} still {job['status']} after {TIMEOUT} s"
            time.sleep(0.25)

    def children(self) -> list[int]:
        """Child processes of the server (of any of its threads: the worker thread starts the solver)."""
        pids = []
        for path in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            try:
                pids += [int(pid) for pid in path.read_text().split()]
            except OSError:
                pass
        return pids

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_kill_9_in_the_middle_of_a_job_loses_nothing_accepted(kind, tmp_path):
    """SIGKILL during a solve: accepted lines and their couplings survive; the job is failed."""
    if kind == "postgres":
        require_postgres()
    settings = database_settings(kind, tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "MATCHER_"))}
    env.update(DATABASE_URL=settings.database_url, MATCHER_WORKER="1", MATCHER_SOLVE_IN_SUBPROCESS="1")
    if settings.db_schema:
        env["MATCHER_DB_SCHEMA"] = settings.db_schema
    server = None
    try:
        token = seed_nl(settings)
        server = Server(env, tmp_path, token)

        # A finished proposal, and some of its lines accepted.
        status, first = server.call("POST", "/api/v1/proposals", {"as_of": "2023-07-03", "solver": "greedy"})
        assert status == 202, first
        first = server.wait_for(first["id"], ("done", "failed"))
        assert first["status"] == "done", first["error"]
        accepted = {}
        for action in ("couple", "house"):
            status, page = server.call("GET", f"/api/v1/proposals/{first['id']}/lines?action={action}&limit=3")
            for line in page["items"]:
                status, decided = server.call("PUT", f"/api/v1/proposals/{first['id']}/lines/{line['id']}/decision",
                                              {"decision": "accept", "date": "2023-07-04"})
                assert status == 200, decided
                accepted[line["household_id"]] = line
        assert len(accepted) == 6

        # A long proposal, killed while its solver runs.
        status, second = server.call("POST", "/api/v1/proposals",
                                     {"as_of": "2023-07-10", "solver": "highspy", "time_limit": 120})
        assert status == 202, second
        server.wait_for(second["id"], ("running",))
        deadline = time.monotonic() + 60
        while not server.children():  # the solver process has started
            assert time.monotonic() < deadline, "no solver process within 60 s"
            time.sleep(0.1)
        time.sleep(1.0)
        solvers = server.children()
        assert server.call("GET", f"/api/v1/proposals/{second['id']}")[1]["status"] == "running"
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
                  for pid in solvers):
            assert time.monotonic() < deadline, "the solver process outlived the server"
            time.sleep(0.1)

        # Restarted: nothing accepted is lost; the interrupted job is failed with the reason.
        server = Server(env, tmp_path, token)
        job = server.wait_for(second["id"], ("failed", "done"))
        assert job["status"] == "failed" and job["error"].startswith("interrupted: the service was restarted"), job
        assert job["lines"]["total"] == 0
        status, page = server.call("GET", f"/api/v1/proposals/{first['id']}/lines?decision=accepted&limit=100")
        assert {line["household_id"] for line in page["items"]} == set(accepted)
        for household_id, line in accepted.items():
            status, h = server.call("GET", f"/api/v1/households/{household_id}")
            assert h["state"] == ("coupled" if line["action"] == "couple" else "moving_in"), h
            assert h["municipality"] == line["municipality"]
            if line["action"] == "house":
                assert h["home_id"] == line["home_id"] and h["coupling_date"] <= "2023-07-04" and h["housed_date"] is None
        status, events = server.call("GET", "/api/v1/audit?action=line.accept")
        assert events["total"] == 6

        # And the service goes on: a new job runs to the end.
        status, third = server.call("POST", "/api/v1/proposals", {"as_of": "2023-07-10", "solver": "greedy"})
        assert server.wait_for(third["id"], ("done", "failed"))["status"] == "done"
    finally:
        if server is not None:
            server.stop()
        drop_schema(settings)

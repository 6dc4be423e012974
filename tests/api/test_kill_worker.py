"""`matcher serve --workers 2` on PostgreSQL: one of its two processes gets SIGKILL in the middle
of a job.

A real server (a parent and two worker processes on one socket), real HTTP over a new
connection per request (so the kernel hands each to either process), the nl-sized synthetic
instance (9,264 households, 2,400 homes) in a private schema.  A first proposal is finished and
some of its lines are accepted; a second one (highspy) is running in the solver child of one
worker process when that process is killed.  Then:

* the other process keeps serving: reads and an accept, before the parent has a replacement up;
* the killed process's solver dies with it;
* the job is failed, naming the dead process (the replacement fails it when it starts:
  :func:`api.worker.recover`), never left running;
* nothing accepted is lost: every decision made before the kill (and the one after it) is there
  with what it recorded, and a new job runs to the end.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

from api_testing import MATCHER, database_settings, drop_schema, require_postgres, seed_nl

TIMEOUT = 120


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def _children(pid: int) -> list[int]:
    """Child processes of ``pid``, of any of its threads."""
    found = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in path.read_text().split()]
        except OSError:
            pass
    return found


class TwoProcesses:
    """``matcher serve --workers 2`` and a JSON client that opens a new connection per request."""

    def __init__(self, env: dict[str, str], cwd: Path, token: str) -> None:
        self.process = subprocess.Popen([MATCHER, "serve", "--port", "0", "--workers", "2", "--no-access-log"],
                                        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.token = token
        self.log: list[str] = []
        for line in self.process.stdout:
            self.log.append(line)
            if "listening on " in line:
                url = urllib.parse.urlsplit(line.split("listening on ")[1].split()[0])
                self.host, self.port = url.hostname, url.port
                break
        else:
            raise AssertionError("matcher serve ended before it listened:\n" + "".join(self.log))
        threading.Thread(target=self._drain, daemon=True).start()
        self.wait_started(2)

    def _drain(self) -> None:
        for line in self.process.stdout:  # the server must never block on a full pipe
            self.log.append(line)

    def started(self) -> int:
        """How many worker processes have finished their start-up so far."""
        return sum("Application startup complete" in line for line in self.log)

    def wait_started(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while self.started() < count:
            assert self.process.poll() is None, "matcher serve ended:\n" + "".join(self.log)
            assert time.monotonic() < deadline, f"not {count} processes started within 60 s:\n" + "".join(self.log)
            time.sleep(0.1)

    def workers(self) -> list[int]:
        """The pids of the server's worker processes (not the resource tracker)."""
        pids = []
        for pid in _children(self.process.pid):
            try:
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes() and _alive(pid):
                    pids.append(pid)
            except OSError:
                pass
        return pids

    def call(self, method: str, path: str, body: object | None = None) -> tuple[int, object]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=None if body is None else json.dumps(body),
                               headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            connection.close()

    def wait_for(self, job_id: int, states: tuple[str, ...]) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while True:
            status, job = self.call("GET", f"/api/v1/proposals/{job_id}")
            assert status == 200, job
            if job["status"] in states:
                return job
            assert time.monotonic() < deadline, f"job {job_id} still {job['status']} after {TIMEOUT} s"
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _accept(server: TwoProcesses, job_id: int, line_id: int) -> dict:
    status, decided = server.call("PUT", f"/api/v1/proposals/{job_id}/lines/{line_id}/decision",
                                  {"decision": "accept", "date": "2023-07-04"})
    assert status == 200, decided
    return decided


def test_kill_9_of_one_worker_process_mid_job(tmp_path):
    """SIGKILL to the process running a job: the other serves on, the job is failed, no decision is lost."""
    require_postgres()
    settings = database_settings("postgres", tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "MATCHER_"))}
    env.update(DATABASE_URL=settings.database_url, MATCHER_DB_SCHEMA=settings.db_schema, MATCHER_WORKER="1",
               MATCHER_SOLVE_IN_SUBPROCESS="1")
    server = None
    try:
        token = seed_nl(settings)
        server = TwoProcesses(env, tmp_path, token)
        assert len(server.workers()) == 2, server.workers()

        # A finished proposal, and some of its lines accepted.
        status, first = server.call("POST", "/api/v1/proposals", {"as_of": "2023-07-03", "solver": "greedy"})
        assert status == 202, first
        first = server.wait_for(first["id"], ("done", "failed"))
        assert first["status"] == "done", first["error"]
        accepted, spare = {}, []
        for action in ("couple", "house"):
            status, page = server.call("GET", f"/api/v1/proposals/{first['id']}/lines?action={action}&limit=4")
            assert status == 200, page
            *decide, left = page["items"]
            for line in decide:
                _accept(server, first["id"], line["id"])
                accepted[line["household_id"]] = line
            spare.append(left)
        assert len(accepted) == 6

        # A long proposal; the process whose worker thread runs it gets SIGKILL while it solves.
        status, second = server.call("POST", "/api/v1/proposals",
                                     {"as_of": "2023-07-10", "solver": "highspy", "time_limit": 120})
        assert status == 202, second
        server.wait_for(second["id"], ("running",))
        deadline = time.monotonic() + 60
        while not (busy := [pid for pid in server.workers() if _children(pid)]):  # its solver process has started
            assert time.monotonic() < deadline, "no solver process within 60 s"
            time.sleep(0.1)
        (victim,) = busy
        (survivor,) = set(server.workers()) - {victim}
        solver = _children(victim)
        assert server.call("GET", f"/api/v1/proposals/{second['id']}")[1]["status"] == "running"
        started = server.started()
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(victim) or any(_alive(pid) for pid in solver):
            assert time.monotonic() < deadline, "the killed process or its solver is still there"
            time.sleep(0.05)

        # The other process keeps serving, reads and writes, before any replacement is up.
        for _ in range(5):
            assert server.call("GET", "/health")[0] == 200
            status, page = server.call("GET", f"/api/v1/proposals/{first['id']}/lines?decision=accepted&limit=100")
            assert status == 200 and len(page["items"]) == 6, page
        after = spare[0]
        assert _accept(server, first["id"], after["id"])["decision"] == "accepted"
        accepted[after["household_id"]] = after
        assert server.started() == started, "a replacement process was up already: the test proves less than it says"
        assert _alive(survivor)

        # The parent replaces the dead process; the job is failed with the reason, not left running.
        job = server.wait_for(second["id"], ("failed", "done"))
        assert job["status"] == "failed", job
        assert job["error"].startswith("interrupted:") and f"process {victim} " in job["error"], job["error"]
        assert job["lines"]["total"] == 0
        server.wait_started(started + 1)
        assert survivor in server.workers() and len(server.workers()) == 2, server.workers()

        # Nothing accepted is lost: the decisions, the households' new state, the audit log.
        status, page = server.call("GET", f"/api/v1/proposals/{first['id']}/lines?decision=accepted&limit=100")
        assert {line["household_id"] for line in page["items"]} == set(accepted)
        for household_id, line in accepted.items():
            status, h = server.call("GET", f"/api/v1/households/{household_id}")
            assert status == 200, h
            assert h["state"] == ("coupled" if line["action"] == "couple" else "moving_in"), h
            assert h["municipality"] == line["municipality"]
            if line["action"] == "house":
                assert h["home_id"] == line["home_id"] and h["coupling_date"] <= "2023-07-04" and h["housed_date"] is None
        status, events = server.call("GET", "/api/v1/audit?action=line.accept")
        assert events["total"] == 7

        # And the service goes on: a new job runs to the end.
        status, third = server.call("POST", "/api/v1/proposals", {"as_of": "2023-07-10", "solver": "greedy"})
        assert status == 202, third
        assert server.wait_for(third["id"], ("done", "failed"))["status"] == "done"
    finally:
        if server is not None:
            server.stop()
        drop_schema(settings)

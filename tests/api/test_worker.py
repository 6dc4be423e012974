"""The proposal worker: jobs left running by a dead worker are failed with the reason, a
graceful stop puts the running job back in the queue, and the child-process solve works."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

from api_testing import API, home, household, offer, ok, upsert
from sqlalchemy import update

from api.models import Job, utcnow
from api.worker import HOST, Worker, recover, worker_id


def queue(client, auth, **body) -> int:
    return ok(client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": "2023-07-03", **body}), 202)["id"]


def set_running(service, job_id: int, worker: str, heartbeat: dt.datetime | None) -> None:
    with service.sessions() as session:
        session.execute(update(Job).where(Job.id == job_id).values(status="running", worker=worker,
                                                                   started_at=utcnow(), heartbeat_at=heartbeat))
        session.commit()


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_job_of_a_dead_worker_process_is_failed_with_the_reason(client, auth, service):
    """A running job whose worker process on this host is gone: failed at once, reason stored, audited."""
    job_id = queue(client, auth)
    set_running(service, job_id, f"{HOST}:{dead_pid()}:abc", utcnow())
    with service.sessions() as session:
        assert recover(session, worker_id(), stale_after=120) == [job_id]
    job = ok(client.get(f"{API}/proposals/{job_id}", headers=auth.coa))
    assert job["status"] == "failed" and job["error"].startswith("interrupted: the service was restarted")
    assert "is gone" in job["error"]
    events = ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": "proposal.failed"}))["items"]
    assert [e["object_id"] for e in events] == [str(job_id)]


def test_a_job_of_a_restarted_process_under_the_same_pid_is_failed(client, auth, service):
    """This very pid under another uuid means the process was restarted: the job is failed."""
    import os

    job_id = queue(client, auth)
    set_running(service, job_id, f"{HOST}:{os.getpid()}:previous", utcnow())
    with service.sessions() as session:
        assert recover(session, worker_id(), stale_after=120) == [job_id]
    assert ok(client.get(f"{API}/proposals/{job_id}", headers=auth.coa))["error"].startswith(
        "interrupted: the service was restarted while it ran")


def test_a_live_worker_elsewhere_is_left_alone_until_its_heartbeat_is_stale(client, auth, service):
    """Another host's worker with a fresh heartbeat keeps its job; with a stale one it is failed."""
    job_id = queue(client, auth)
    set_running(service, job_id, "other-host:123:abc", utcnow())
    with service.sessions() as session:
        assert recover(session, worker_id(), stale_after=120) == []
    set_running(service, job_id, "other-host:123:abc", utcnow() - dt.timedelta(minutes=10))
    with service.sessions() as session:
        assert recover(session, worker_id(), stale_after=120) == [job_id]
    assert "no heartbeat" in ok(client.get(f"{API}/proposals/{job_id}", headers=auth.coa))["error"]


def test_the_worker_thread_runs_jobs_in_a_child_process(client, auth, service):
    """With the worker thread started and solving in a child process, a posted job gets done;
    a graceful stop in the middle of a long job puts it back in the queue."""
    upsert(client, auth, household("h1", 2), household("h2", 1, permit_date="2023-01-01"))
    offer(client, auth.enschede, home("E-1", capacity=2))
    worker = Worker(service.app.state.sessions, service.settings.with_(solve_in_subprocess=True, poll_interval=0.2,
                                                                         heartbeat_interval=0.2))
    worker.start()
    try:
        job_id = queue(client, auth, solver="greedy")
        worker.wake()
        deadline = time.monotonic() + 60
        while ok(client.get(f"{API}/proposals/{job_id}", headers=auth.coa))["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, "the job did not finish within 60 s"
            time.sleep(0.2)
        job = ok(client.get(f"{API}/proposals/{job_id}", headers=auth.coa))
        assert job["status"] == "done" and job["lines"]["total"] == 2, job
    finally:
        worker.stop()


def test_a_graceful_stop_requeues_the_running_job(client, auth, service, monkeypatch):
    """Stopping the worker while its child solves: the job is queued again, not lost."""
    import api.worker as module

    upsert(client, auth, household("h1", 2))
    started = []
    real = module.start_child

    def slow_child(instance, params, solver, time_limit, history=None):
        started.append(True)
        return real(instance, params, "cpsat", 30.0, history)  # a real solve that takes a while to start

    monkeypatch.setattr(module, "start_child", slow_child)
    worker = Worker(service.app.state.sessions, service.settings.with_(solve_in_subprocess=True, poll_interval=0.1,
                                                                         heartbeat_interval=0.1))
    job_id = queue(client, auth)
    worker.start()
    deadline = time.monotonic() + 30
    while not started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    worker.stop(timeout=30)
    job = ok(client.get(f"{API}/proposals/{job_id}", headers=auth.coa))
    assert job["status"] in ("queued", "done"), job  # done only if the child beat the stop
    if job["status"] == "queued":
        events = ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": "proposal.requeue"}))
        assert events["total"] == 1


def test_a_job_this_process_lost_track_of_is_failed(client, auth, service):
    """Claimed by this very process but not being run by it (its thread died): failed, not left running."""
    job_id = queue(client, auth)
    set_running(service, job_id, worker_id(), utcnow())
    with service.sessions() as session:
        assert recover(session, worker_id(), stale_after=120) == [job_id]
    assert "lost track" in ok(client.get(f"{API}/proposals/{job_id}", headers=auth.coa))["error"]

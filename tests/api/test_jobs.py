"""The job queue (``api.services.jobs``) on its own: claim takes the oldest queued job, a job
requeued by a stopping server is claimed again after the restart, a failure keeps its reason,
and no transition acts on a job that is no longer the worker's."""

from __future__ import annotations

from api_testing import API, ok

from api.services import jobs


def queue(client, auth, as_of: str) -> int:
    return ok(client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": as_of}), 202)["id"]


def job_of(client, auth, job_id: int) -> dict:
    return ok(client.get(f"{API}/proposals/{job_id}", headers=auth.coa))


def events(client, auth, action: str) -> list[dict]:
    return ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": action}))["items"]


def test_claim_takes_the_oldest_queued_job(client, auth, service):
    """Three queued jobs are claimed in the order they were asked for, then the queue is empty."""
    ids = [queue(client, auth, f"2023-07-0{day}") for day in (5, 3, 4)]
    with service.sessions() as session:
        claimed = [jobs.claim_next(session, "host:1:a") for _ in range(4)]
    assert claimed == [*sorted(ids), None]
    job = job_of(client, auth, ids[0])
    assert job["status"] == "running" and job["started_at"] is not None
    with service.sessions() as session:
        assert [j.worker for j in jobs.running(session)] == ["host:1:a"] * 3


def test_a_requeued_job_is_claimed_again_after_a_restart(client, auth, service):
    """A stopping server puts its job back; only its own worker can; the restarted server (a new
    worker id) claims that job before younger ones."""
    first, second = queue(client, auth, "2023-07-03"), queue(client, auth, "2023-07-10")
    with service.sessions() as session:
        assert jobs.claim_next(session, "host:1:old") == first
    with service.sessions() as session:
        assert not jobs.requeue(session, first, "host:2:other", "not its job")
        assert jobs.requeue(session, first, "host:1:old", "the server stopped while the job ran")
    job = job_of(client, auth, first)
    assert job["status"] == "queued" and job["started_at"] is None
    assert [e["detail"]["why"] for e in events(client, auth, "proposal.requeue")] == ["the server stopped while the job ran"]
    with service.sessions() as session:
        assert jobs.claim_next(session, "host:1:new") == first
        assert [(j.id, j.worker) for j in jobs.running(session)] == [(first, "host:1:new")]
    assert job_of(client, auth, second)["status"] == "queued"


def test_a_failed_job_keeps_its_reason_and_no_later_transition_overwrites_it(client, auth, service):
    """fail_job records the reason on the job and in the audit log; another worker cannot fail
    the job, and once failed it can be neither failed again, nor requeued, nor finished."""
    job_id = queue(client, auth, "2023-07-03")
    with service.sessions() as session:
        jobs.claim_next(session, "host:1:a")
    with service.sessions() as session:
        assert not jobs.fail_job(session, job_id, "host:2:b", "not its job")
        assert jobs.fail_job(session, job_id, "host:1:a", "the solver process died (exit code -9)")
    job = job_of(client, auth, job_id)
    assert job["status"] == "failed" and job["error"] == "the solver process died (exit code -9)"
    assert job["finished_at"] is not None
    assert [e["object_id"] for e in events(client, auth, "proposal.failed")] == [str(job_id)]
    with service.sessions() as session:
        assert not jobs.fail_job(session, job_id, None, "again")
        assert not jobs.requeue(session, job_id, "host:1:a", "stopping")
        assert not jobs.finish(session, job_id, "host:1:a", {"status": "optimal"}, period_id=1)
        assert jobs.claim_next(session, "host:1:a") is None
    assert job_of(client, auth, job_id)["error"] == "the solver process died (exit code -9)"

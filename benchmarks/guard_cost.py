"""What the request guard (:mod:`api.guard`) costs per request, in process.

``python -m benchmarks.guard_cost [--calls N] [--rounds R]``

The scope of a ``POST /api/v1/homes`` as the load benchmark sends it (a bearer token, a JSON body
of 80 bytes) goes ``N`` times through an ASGI app that reads the body and answers at once, bare
and wrapped in :class:`api.guard.Guard`; the difference per call is what the guard adds to every
request (header checks, the counted body, the security headers on the way out).  No sockets, no
database: a CPU cost, to set beside the server's CPU time per request in
``benchmarks/results/load_homes.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from api.config import Settings
from api.guard import Guard

BODY = b'{"reference":"GM0014-bench-1","kind":"regular","capacity":4,"available_from":"2023-07-01"}'
SCOPE = {"type": "http", "method": "POST", "path": "/api/v1/homes", "headers": [
    (b"host", b"127.0.0.1:8000"), (b"authorization", b"Bearer mt_" + b"x" * 43),
    (b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]}


async def answer(scope, receive, send) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 201, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})


async def receive() -> dict:
    return {"type": "http.request", "body": BODY, "more_body": False}


async def send(message: dict) -> None:
    pass


async def per_call(app, calls: int) -> float:
    """Seconds per call of ``app`` on the scope above."""
    started = time.perf_counter()
    for _ in range(calls):
        await app(dict(SCOPE), receive, send)
    return (time.perf_counter() - started) / calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    guarded = Guard(answer, settings=Settings(), token_known=lambda secret: True)

    async def run() -> None:
        for _ in range(args.rounds):
            bare = await per_call(answer, args.calls)
            wrapped = await per_call(guarded, args.calls)
            print(f"bare {bare * 1e6:.2f} us, with the guard {wrapped * 1e6:.2f} us: "
                  f"the guard adds {(wrapped - bare) * 1e6:.2f} us per request "
                  f"(load average {os.getloadavg()[0]:.2f})")

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

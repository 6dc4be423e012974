"""What every request passes before the app reads its body: size limits, a token present, and
the usual security headers on the way out.  A pure ASGI middleware, so nothing here buffers.

* **Authentication before the body.**  A request to ``/api/`` without ``Authorization: Bearer
  <token>`` is a 401 at once, whatever it carries; a body over 64 kB is read only after its
  token was found (unknown or revoked: 401).  A page form (``POST /ui/...``) without a signed
  session cookie is a 403 before its form is read (:func:`api.web.pages.refuse_unsigned_post`;
  the CSRF secret in the form is checked by the page route).  Whether the token has the
  role the route needs is decided by the route (:mod:`api.deps`), which also checks the token of
  a small malformed body before it answers the 422.
* **Size limits** (:class:`~api.config.Settings`): ``POST /api/v1/households/batch`` at most
  ``max_batch_bytes`` (16 MB), a CSV upload ``max_upload_bytes`` (5 MB) plus 64 kB of form,
  every other body ``max_body_bytes`` (1 MB).  A larger ``Content-Length`` is a 413 before a byte
  is read; a body sent without one (chunked) is counted as it arrives and cut off with a 413.
* **Headers** on every response: ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
  ``Referrer-Policy: same-origin`` and a ``Content-Security-Policy`` that allows only this
  site's own scripts, style sheets and images, no inline script and no framing (the pages and
  ``/docs`` load nothing from elsewhere; style attributes are allowed for the progress bars).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

from api import messages
from api.config import Settings

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FORM_OVERHEAD = 64_000
"""What a multipart upload may carry beside its file (boundaries, part headers, the CSRF field)."""
CHECK_TOKEN_ABOVE = 64_000
"""A larger body is read only once its bearer token is known to be valid."""

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CSP.encode()),
]

UPLOADS = ("/api/v1/households/upload", "/api/v1/homes/upload")


class TooLarge(HTTPException):
    """The body grew past its limit while it was read (an HTTPException, so that FastAPI's body
    parsing passes it on as the 413 it is)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit), headers={"Connection": "close"})


def body_limit(settings: Settings, method: str, path: str) -> int:
    """The largest body a request to ``path`` may send, in bytes."""
    if method == "POST" and path == "/api/v1/households/batch":
        return settings.max_batch_bytes
    if method == "POST" and (path in UPLOADS or (path.startswith("/ui/municipality/") and path.endswith("/homes/upload"))):
        return settings.max_upload_bytes + FORM_OVERHEAD
    return settings.max_body_bytes


def bearer_secret(headers: Headers) -> str | None:
    scheme, _, secret = headers.get("authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


class Guard:
    """The middleware (see the module docstring).  ``token_known(secret)`` says, in a worker
    thread, whether a bearer token is valid; it is asked only before reading a large body."""

    def __init__(self, app: ASGIApp, settings: Settings, token_known: Callable[[str], bool],
                 page_gate: Callable[[Scope], Any] | None = None) -> None:
        self.app = app
        self.settings = settings
        self.token_known = token_known
        self.page_gate = page_gate
        """``page_gate(scope)``: a response refusing a page request before its body, or ``None``."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((n, v) for n, v in SECURITY_HEADERS if n not in present)]
            await send(message)

        path, method = scope["path"], scope["method"]
        headers = Headers(scope=scope)
        limit = body_limit(self.settings, method, path)
        length_header = headers.get("content-length")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        try:
            length = int(length_header) if length_header is not None else None
        except ValueError:
            length = None
        if path.startswith("/api/"):
            secret = bearer_secret(headers)
            if secret is None:
                await _json(send_with_headers, 401, *_auth(scope, headers, "missing_token"),
                            extra=[(b"www-authenticate", b"Bearer")])
                return
            large = chunked or (length is not None and length > CHECK_TOKEN_ABOVE)
            if large and length is not None and length > limit:
                pass  # refused below, without a look at the token
            elif large and not await run_in_threadpool(self.token_known, secret):
                await _json(send_with_headers, 401, *_auth(scope, headers, "unknown_token"),
                            extra=[(b"www-authenticate", b"Bearer")])
                return
        elif self.page_gate is not None and (refusal := self.page_gate(scope)) is not None:
            await refusal(scope, receive, send_with_headers)
            return
        if length_header is not None and length is None:
            await _json(send_with_headers, 400, "Content-Length is not a whole number")
            return
        if length is not None and length > limit:
            await _json(send_with_headers, 413, _too_large(limit), extra=[(b"connection", b"close")])
            return

        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        try:
            await self.app(scope, counted, send_with_headers)
        except TooLarge:
            if started:
                raise
            await _json(send_with_headers, 413, _too_large(limit), extra=[(b"connection", b"close")])


def _too_large(limit: int) -> str:
    return f"request body too large: at most {limit:,} bytes here".replace(",", " ")


def _auth(scope: Scope, headers: Headers, code: str) -> tuple[str, str]:
    """A 401's message in the caller's language (``lang``, else ``Accept-Language``, else English) and its code."""
    wanted = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[0]
    return messages.text(messages.request_language(wanted, headers.get("accept-language")), code), code


async def _json(send: Send, status: int, detail: str, code: str | None = None,
                extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail} if code is None else {"detail": detail, "code": code}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(extra or [])]})
    await send({"type": "http.response.body", "body": body})

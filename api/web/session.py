"""Browser sessions: a token pasted once becomes a signed session cookie.

The cookie holds the token's id, the id of the session's row in ``web_sessions`` and a random
CSRF secret, signed with itsdangerous (HMAC), never the token itself.  Every request looks the
token and the session up again, so revoking the token (``matcher token revoke``) ends its
sessions at once, and signing out ends the session on the server: a copy of the cookie taken
before opens nothing afterwards.  A session also ends after ``max_age`` seconds.  A visitor who has not signed in gets an anonymous session (no token, a CSRF secret)
so the sign-in form is protected too; signing in starts a new session with a new secret.

The cookie is ``HttpOnly`` and ``SameSite=Lax``; ``Secure`` when ``MATCHER_COOKIE_SECURE=1``
(behind HTTPS).  The signing key is ``MATCHER_SESSION_SECRET``; without it ``matcher serve``
draws one random key at start and hands it to every server process (``--workers N``), so
sessions hold across the processes but not across a restart.

| variable | default | meaning |
|---|---|---|
| ``MATCHER_SESSION_SECRET`` | random per start of ``matcher serve`` | key that signs session cookies |
| ``MATCHER_COOKIE_SECURE`` | ``0`` | send the cookie over HTTPS only |
| ``MATCHER_SESSION_HOURS`` | ``10`` | a session ends this long after sign-in |
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.models import Token, utcnow
from api.models import WebSession as WebSessionRow
from api.services.errors import Actor

COOKIE = "matcher_session"
LANG_COOKIE = "matcher_lang"


@dataclass(frozen=True)
class WebSettings:
    """How session cookies are signed and sent."""

    secret: str
    secure: bool = False
    max_age: int = 10 * 3600

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebSettings:
        environ = os.environ if environ is None else environ
        hours = environ.get("MATCHER_SESSION_HOURS", "")
        return cls(secret=environ.get("MATCHER_SESSION_SECRET") or secrets.token_urlsafe(32),
                   secure=environ.get("MATCHER_COOKIE_SECURE", "0").strip().lower() in ("1", "true", "yes", "on"),
                   max_age=int(float(hours) * 3600) if hours else 10 * 3600)


@dataclass(frozen=True)
class WebSession:
    """What the cookie says: the signed-in token (``None``: not signed in), the CSRF secret, and
    the session's row in ``web_sessions`` (``None`` when not signed in)."""

    token_id: int | None
    csrf: str
    sid: str | None = None

    @classmethod
    def anonymous(cls) -> WebSession:
        return cls(None, secrets.token_urlsafe(24))

    @classmethod
    def signed_in(cls, session: Session, token_id: int, max_age: int) -> WebSession:
        """A new session of ``token_id``, stored (the caller commits); sessions past ``max_age``
        are forgotten on the way."""
        now = utcnow()
        session.execute(delete(WebSessionRow).where(WebSessionRow.created_at < now - dt.timedelta(seconds=max_age)))
        sid = secrets.token_urlsafe(32)
        session.add(WebSessionRow(id=sid, token_id=token_id, created_at=now))
        return cls(token_id, secrets.token_urlsafe(24), sid)

    def csrf_ok(self, sent: str | None) -> bool:
        """Whether a form's CSRF field is this session's secret (in constant time)."""
        if not sent:
            return False
        return hmac.compare_digest(sent.encode("utf-8"), self.csrf.encode("utf-8"))


class Signer:
    """Signs and reads session cookies."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self._serializer = URLSafeTimedSerializer(settings.secret, salt="matcher-web-session")

    def read(self, cookie: str | None) -> WebSession | None:
        """The session in a cookie, or ``None`` for none, a forged one or an expired one."""
        if not cookie or len(cookie) > 1000:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.settings.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        token_id, sid = data.get("t"), data.get("s")
        if not isinstance(token_id, int) or not isinstance(sid, str):
            token_id, sid = None, None
        return WebSession(token_id, data["c"], sid)

    def write(self, response: Response, web: WebSession) -> None:
        """Set the session cookie on ``response``."""
        value = self._serializer.dumps({"t": web.token_id, "c": web.csrf, "s": web.sid})
        response.set_cookie(COOKIE, value, max_age=self.settings.max_age, path="/", httponly=True,
                            samesite="lax", secure=self.settings.secure)

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=self.settings.secure)


_ACTOR = (select(Token.id, Token.label, Token.role, Token.municipality_code)
          .join(WebSessionRow, WebSessionRow.token_id == Token.id)
          .where(WebSessionRow.id == bindparam("sid"), WebSessionRow.ended_at.is_(None),
                 WebSessionRow.created_at >= bindparam("since"), Token.id == bindparam("token_id"),
                 Token.revoked_at.is_(None)))


def actor_of(session: Session, web: WebSession, max_age: int) -> Actor | None:
    """The actor of a signed-in session, or ``None`` when it is not signed in, signed out,
    older than ``max_age`` seconds, or its token was revoked."""
    if web.token_id is None or web.sid is None:
        return None
    row = session.execute(_ACTOR, {"sid": web.sid, "token_id": web.token_id,
                                   "since": utcnow() - dt.timedelta(seconds=max_age)}).first()
    return None if row is None else Actor(row.id, row.label, row.role, row.municipality_code)


def end(session: Session, web: WebSession | None) -> None:
    """Sign-out: the session ends on the server (the caller commits)."""
    if web is not None and web.sid is not None:
        session.execute(update(WebSessionRow).where(WebSessionRow.id == web.sid, WebSessionRow.ended_at.is_(None))
                        .values(ended_at=utcnow()))

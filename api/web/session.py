"""Browser sessions: a token pasted once becomes a signed session cookie.

The cookie holds the token's id and a random CSRF secret, signed with itsdangerous (HMAC), never
the token itself.  Every request looks the token up again, so revoking it (``matcher token
revoke``) ends its sessions at once; a session also ends after ``max_age`` seconds, and at
sign-out.  A visitor who has not signed in gets an anonymous session (no token, a CSRF secret)
so the sign-in form is protected too; signing in starts a new session with a new secret.

The cookie is ``HttpOnly`` and ``SameSite=Lax``; ``Secure`` when ``MATCHER_COOKIE_SECURE=1``
(behind HTTPS).  The signing key is ``MATCHER_SESSION_SECRET``; without it a random key is made
at start, so sessions do not survive a restart.

| variable | default | meaning |
|---|---|---|
| ``MATCHER_SESSION_SECRET`` | random per start | key that signs session cookies |
| ``MATCHER_COOKIE_SECURE`` | ``0`` | send the cookie over HTTPS only |
| ``MATCHER_SESSION_HOURS`` | ``10`` | a session ends this long after sign-in |
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.models import Token
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
    """What the cookie says: the signed-in token (``None``: not signed in) and the CSRF secret."""

    token_id: int | None
    csrf: str

    @classmethod
    def anonymous(cls) -> WebSession:
        return cls(None, secrets.token_urlsafe(24))

    @classmethod
    def signed_in(cls, token_id: int) -> WebSession:
        return cls(token_id, secrets.token_urlsafe(24))

    def csrf_ok(self, sent: str | None) -> bool:
        """Whether a form's CSRF field is this session's secret (in constant time)."""
        return bool(sent) and hmac.compare_digest(sent.encode("utf-8"), self.csrf.encode("utf-8"))


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
        token_id = data.get("t")
        return WebSession(token_id if isinstance(token_id, int) else None, data["c"])

    def write(self, response: Response, web: WebSession) -> None:
        """Set the session cookie on ``response``."""
        value = self._serializer.dumps({"t": web.token_id, "c": web.csrf})
        response.set_cookie(COOKIE, value, max_age=self.settings.max_age, path="/", httponly=True,
                            samesite="lax", secure=self.settings.secure)

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=self.settings.secure)


def actor_of(session: Session, token_id: int | None) -> Actor | None:
    """The actor of a session's token, or ``None`` when there is none or it was revoked."""
    if token_id is None:
        return None
    token = session.get(Token, token_id)
    if token is None or token.revoked_at is not None:
        return None
    return Actor(token.id, token.label, token.role, token.municipality_code)

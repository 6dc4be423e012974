"""Bearer tokens: created and revoked with ``matcher token``, stored as SHA-256 hashes.

A token is 32 random bytes (``mt_`` + URL-safe base64), so a fast hash is enough: there is
nothing to guess from it, unlike a password.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from api import audit
from api.models import Municipality, Token, utcnow
from api.services.errors import CLI, Actor, Conflict, FieldError, Invalid, NotFound

ROLES = ("coa", "municipality")
PREFIX = "mt_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just made: ``secret`` is shown once and stored nowhere."""

    token: Token
    secret: str


def create_token(session: Session, role: str, municipality: str | None = None, label: str | None = None,
                 actor: Actor = CLI) -> NewToken:
    """Make a token for ``role`` (``coa`` or ``municipality``, the latter bound to one CBS code)."""
    errors = []
    if role not in ROLES:
        errors.append(FieldError(("role",), "unknown_role", {"role": role}))
    elif role == "municipality" and municipality is None:
        errors.append(FieldError(("municipality",), "token_needs_municipality"))
    elif role == "coa" and municipality is not None:
        errors.append(FieldError(("municipality",), "coa_token_no_municipality"))
    if municipality is not None and session.get(Municipality, municipality) is None:
        errors.append(FieldError(("municipality",), "unknown_municipality_r", {"code": municipality}))
    if errors:
        raise Invalid(errors)
    secret = PREFIX + secrets.token_urlsafe(32)
    # a municipality token has its code (checked above), a coa token none
    token = Token(label=(label or municipality or "coa")[:100],
                  token_hash=hash_token(secret), prefix=secret[:10], role=role, municipality_code=municipality)
    session.add(token)
    session.flush()
    audit.record(session, actor, "token.create", "token", token.id, role=role, municipality=municipality,
                 label=token.label)
    session.commit()
    return NewToken(token, secret)


def revoke_token(session: Session, token_id: int, actor: Actor = CLI) -> Token:
    """Revoke a token; revoking it again changes nothing."""
    token = session.get(Token, token_id)
    if token is None:
        raise NotFound("no_token", token=token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor, "token.revoke", "token", token.id)
        session.commit()
    return token


def list_tokens(session: Session) -> list[Token]:
    return list(session.scalars(select(Token).order_by(Token.id)))


def authenticate(session: Session, secret: str) -> Actor | None:
    """The actor behind a bearer token, or ``None`` for an unknown or revoked one."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    row = session.connection().execute(_AUTHENTICATE, {"token_hash": hash_token(secret)}).first()
    return None if row is None else Actor(*row)


_TOKENS = Token.__table__.c
_AUTHENTICATE = (select(_TOKENS.id, _TOKENS.label, _TOKENS.role, _TOKENS.municipality_code)
                 .where(_TOKENS.token_hash == bindparam("token_hash"), _TOKENS.revoked_at.is_(None)))
"""Built once: every request runs it, and SQLAlchemy finds it compiled without a new cache key."""


def find_token(session: Session, key: str) -> Token:
    """A token by id or by its shown prefix (``mt_xxxxxxx``)."""
    if key.isdigit():
        token = session.get(Token, int(key))
    else:
        matches = list(session.scalars(select(Token).where(Token.prefix == key[:10])))
        if len(matches) > 1:
            raise Conflict("token_prefix_ambiguous", key=key, n=len(matches))
        token = matches[0] if matches else None
    if token is None:
        raise NotFound("no_token_r", token=key)
    return token

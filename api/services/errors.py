"""Errors of the service layer, each mapped to one HTTP status by :mod:`api.main`, and the actor
(who is asking) that access checks use."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """Who is asking: a token's id, label and role, and for role ``municipality`` its CBS code."""

    token_id: int | None
    label: str
    role: str
    municipality: str | None = None

    @property
    def is_coa(self) -> bool:
        return self.role == "coa"

    @property
    def name(self) -> str:
        """How the audit log names this actor."""
        if self.role == "municipality":
            return f"{self.label} (municipality {self.municipality})"
        return f"{self.label} ({self.role})"


CLI = Actor(token_id=None, label="cli", role="cli")
"""The ``matcher token`` command (no token)."""
WORKER = Actor(token_id=None, label="worker", role="worker")
"""The proposal worker, when it stores, fails or requeues a job."""


class ServiceError(Exception):
    """Root of the errors below; ``str(error)`` is a message for the caller."""


class NotFound(ServiceError):
    """It does not exist, or the caller may not see it (HTTP 404)."""


class Forbidden(ServiceError):
    """The caller's role may not do this (HTTP 403)."""


class Conflict(ServiceError):
    """It cannot be done in the object's present state (HTTP 409)."""


@dataclass(frozen=True)
class FieldError:
    """One malformed field: where (``loc``, as FastAPI reports it), what is wrong, and a kind."""

    loc: tuple[str | int, ...]
    msg: str
    type: str = "value_error"


@dataclass
class Invalid(ServiceError):
    """Malformed input (HTTP 422): every problem found, each located by field (and row)."""

    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in self.errors)

"""Errors of the service layer, each mapped to one HTTP status by :mod:`api.main`, and the actor
(who is asking) that access checks use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from api import messages


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
    """Root of the errors below: a catalogue ``code`` (:data:`api.messages.MESSAGES`) and the
    ``values`` its message names; ``str(error)`` is the English message, :meth:`text` any language."""

    code: str
    values: Mapping[str, Any]

    def __init__(self, code: str, /, **values: Any) -> None:
        self.code, self.values = code, values
        super().__init__(messages.text("en", code, values))

    def text(self, lang: str) -> str:
        return messages.text(lang, self.code, self.values)


class NotFound(ServiceError):
    """It does not exist, or the caller may not see it (HTTP 404)."""


class Forbidden(ServiceError):
    """The caller's role may not do this (HTTP 403)."""


class Conflict(ServiceError):
    """It cannot be done in the object's present state (HTTP 409)."""


@dataclass(frozen=True)
class FieldError:
    """One malformed field: where (``loc``, as FastAPI reports it), what is wrong (a catalogue
    ``code`` with its ``values``), and a kind (``type``, as pydantic names it)."""

    loc: tuple[str | int, ...]
    code: str
    values: Mapping[str, Any] = field(default_factory=dict)
    type: str = "value_error"
    english: str | None = None
    """Pydantic's own English wording, for an error pydantic found (kept as the API gave it)."""

    @property
    def msg(self) -> str:
        """The English message."""
        return self.english if self.english is not None else messages.text("en", self.code, self.values)

    def text(self, lang: str) -> str:
        if lang == "en":
            return self.msg
        return messages.text(lang, self.code, self.values)

    @classmethod
    def of(cls, loc: tuple[str | int, ...], error: Mapping[str, Any]) -> FieldError:
        """One of pydantic's errors, located at ``loc``."""
        code, values = messages.pydantic_code(error)
        return cls(loc, code, values, str(error.get("type", "value_error")),
                   str(error.get("msg", "")).removeprefix("Value error, "))


@dataclass
class Invalid(ServiceError):
    """Malformed input (HTTP 422): every problem found, each located by field (and row)."""

    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in self.errors)

    def __post_init__(self) -> None:
        self.code, self.values = "invalid_fields", {}

    def text(self, lang: str) -> str:
        return "; ".join(f"{messages.location(lang, e.loc)}: {e.text(lang)}" for e in self.errors)

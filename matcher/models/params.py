"""Run parameters (spec §2) and the weights of the quality level (spec §5, level 4)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from matcher.exceptions import InstanceError, Problem


@dataclass(frozen=True)
class Weights:
    """Weights of the quality level (level 4, minimised).  Each term is a whole number, so the
    level is an integer that exact solvers can prove.

    The defaults put roughly one person-day of an older permit waiting on a par with one
    person-kilometre, and make a change against last week's proposal cost as much as 50 km.
    """

    km: int = 1
    """Per person-kilometre (rounded to whole km) of each new coupling."""
    tie: int = 30
    """Per person newly coupled to another municipality than its ``tie_municipality``."""
    permit_age: int = 1
    """Per person-day since the permit, for each household still not coupled after the proposal:
    coupling the newest permits before the older ones costs."""
    idle: int = 5
    """Per idle place (capacity minus size) in a housed ``regular`` dwelling."""
    extra_misfit: int = 20
    """Per expected family member (nareiziger) who will not fit the ``regular`` dwelling."""
    change: int = 50
    """Per person whose line differs from ``previous.csv``."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"weight {f.name} must be a whole number >= 0, got {value!r}")


@dataclass(frozen=True)
class Params:
    """Parameters of one run.  ``as_of`` is required; everything else has the spec's default."""

    as_of: dt.date
    horizon_days: int = 7
    norm_days: int = 84
    coupling_days: int = 14
    max_km: float = 50.0
    max_minutes: float | None = None
    quota_slack: int = 0
    allow_recoupling: bool = False
    weights: Weights = field(default_factory=Weights)

    def __post_init__(self) -> None:
        for name in ("horizon_days", "norm_days", "coupling_days", "quota_slack"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.max_km < 0:
            raise ValueError("max_km must not be negative")
        if self.max_minutes is not None and self.max_minutes < 0:
            raise ValueError("max_minutes must not be negative")

    @property
    def end(self) -> dt.date:
        """The end of the horizon: ``as_of + horizon_days``."""
        return self.as_of + dt.timedelta(days=self.horizon_days)

    def with_overrides(self, **overrides: Any) -> "Params":
        """A copy with the given fields replaced; ``None`` values are ignored."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    @classmethod
    def from_toml(cls, path: str | Path, **overrides: Any) -> "Params":
        """Read ``params.toml``; ``overrides`` (command-line flags) win over the file.

        Raises :class:`InstanceError` naming the key that is wrong.
        """
        path = Path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InstanceError([Problem(path.name, f"not valid TOML: {exc}")]) from exc
        return cls.from_dict(raw, source=path.name, **overrides)

    @classmethod
    def from_dict(cls, raw: dict[str, Any], source: str = "params", **overrides: Any) -> "Params":
        """Build parameters from a mapping (a parsed TOML file or a JSON body)."""
        problems: list[Problem] = []
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in known:
                problems.append(Problem(source, f"unknown parameter {key!r}; expected one of {', '.join(known)}"))
                continue
            try:
                values[key] = _coerce(key, value)
            except (TypeError, ValueError) as exc:
                problems.append(Problem(source, f"parameter {key!r}: {exc}"))
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "as_of" not in values:
            problems.append(Problem(source, "parameter 'as_of' is required (a date, YYYY-MM-DD)"))
        if problems:
            raise InstanceError(problems)
        try:
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise InstanceError([Problem(source, str(exc))]) from exc


def _coerce(key: str, value: Any) -> Any:
    if key == "as_of":
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))
    if key == "weights":
        if not isinstance(value, dict):
            raise TypeError("must be a table of weights")
        known = {f.name for f in fields(Weights)}
        unknown = set(value) - known
        if unknown:
            raise ValueError(f"unknown weight(s) {sorted(unknown)}; expected {sorted(known)}")
        return Weights(**value)
    if key == "allow_recoupling":
        if not isinstance(value, bool):
            raise TypeError("must be true or false")
        return value
    if key in ("max_km", "max_minutes"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("must be a number")
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("must be a whole number")
    return value

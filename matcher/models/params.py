"""Run parameters (docs/contract.md §2) and the weights of the quality level (§5, level 4)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
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
    """Per idle place in the ``regular``, ``shared`` and ``amv`` dwellings available within the
    horizon: capacity minus persons housed, so an empty home counts all its places and a
    too-large one the rest.  (The first contract named regular dwellings only; shared rooms and AMV
    units left empty are idle just the same.  Temporary places are not counted: they cost a move.)"""
    extra_misfit: int = 20
    """Per expected family member (nareiziger) who will not fit the ``regular`` dwelling."""
    change: int = 50
    """Per person whose line differs from ``previous.csv``."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"weight {f.name} must be a whole number >= 0, got {value!r}")


NORM_DAYS = 84
"""Phases 2+3, coupling to housing: 12 weeks [001:2437]; the default of ``Params.norm_days``."""
COUPLING_DAYS = 14
"""COA's obligation, coupled within 14 days of the permit [001:2524]; the default of ``Params.coupling_days``."""
NORM_FROM_PERMIT_DAYS = COUPLING_DAYS + NORM_DAYS
"""The 14-week norm from the permit to the move-in [001:2431]: the simulation's headline measure and the
objective of the look-ahead and the hindsight.  Fixed, not a parameter, so every policy is measured alike."""

TEMPORARY_DAYS = 365
"""The longest stay in a temporary home (doorstroomlocatie: at most a year [003:74; 003:230]): a
household housed there past it is overdue by the days beyond (docs/contract.md §3).  Fixed, not a
parameter."""


@dataclass(frozen=True)
class Params:
    """Parameters of one run.  ``as_of`` is required; everything else has the contract's default."""

    as_of: dt.date
    horizon_days: int = 7
    norm_days: int = NORM_DAYS
    coupling_days: int = COUPLING_DAYS
    max_km: float | None = 50.0
    """The regional limit in km; ``None`` for none (a minutes-only region)."""
    max_minutes: float | None = None
    """The public-transport limit in minutes; ``None`` for none.  At least one of the two is set."""
    quota_slack: int = 0
    allow_recoupling: bool = False
    weights: Weights = field(default_factory=Weights)

    def __post_init__(self) -> None:
        for name in ("horizon_days", "norm_days", "coupling_days", "quota_slack"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.max_km is None and self.max_minutes is None:
            raise ValueError("set max_km, max_minutes or both: a new coupling needs a regional limit [001:2371]")
        if self.max_km is not None and self.max_km < 0:
            raise ValueError("max_km must not be negative")
        if self.max_minutes is not None and self.max_minutes < 0:
            raise ValueError("max_minutes must not be negative")

    @property
    def end(self) -> dt.date:
        """The end of the horizon: ``as_of + horizon_days``."""
        return self.as_of + dt.timedelta(days=self.horizon_days)

    def overdue_days(self, permit_date: dt.date, coupling_date: dt.date | None, on: dt.date) -> int:
        """Days past ``norm_days`` on ``on`` (docs/contract.md §3 ``overdue``, where ``on`` is the end of the
        horizon): the clock starts at the coupling date, or for a household not yet coupled
        ``coupling_days`` after the permit.  The one definition the solvers, the outputs, the
        simulator and the service use (the independent checker keeps its own)."""
        clock = coupling_date if coupling_date is not None else permit_date + dt.timedelta(days=self.coupling_days)
        return max(0, (on - clock).days - self.norm_days)

    @classmethod
    def from_toml(cls, path: str | Path, **overrides: Any) -> Params:
        """Read ``params.toml``; ``overrides`` (command-line flags) win over the file.

        Raises :class:`InstanceError` naming the key that is wrong.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            row = path.read_bytes()[: exc.start].count(b"\n") + 1
            raise InstanceError([Problem(path.name, f"is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8", row)]) from None
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            # tomllib (Python < 3.14) only puts the position in the message: "... (at line 2, column 13)".
            found = re.search(r"^(.*) \(at line (\d+), column (\d+)\)$", str(exc))
            if found:
                problem = Problem(path.name, f"not valid TOML: {found[1]}", int(found[2]), int(found[3]))
            else:
                problem = Problem(path.name, f"not valid TOML: {exc}")
            raise InstanceError([problem]) from exc
        return cls.from_dict(raw, source=path.name, locate=lambda key: _line_of(text, key), **overrides)

    @classmethod
    def from_dict(
        cls,
        raw: dict[str, Any],
        source: str = "params",
        locate: Callable[[str], int | None] | None = None,
        **overrides: Any,
    ) -> Params:
        """Build parameters from a mapping (a parsed TOML file or a JSON body).

        ``locate`` maps a key to the line it stands on in ``source``, so problems name the line.
        """
        problems: list[Problem] = []
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            line = locate(key) if locate else None
            if key not in known:
                hint = _did_you_mean(key, known)
                problems.append(Problem(source, f"unknown parameter {key!r}{hint}; expected one of {', '.join(known)}", line))
                continue
            if value is None and key in ("max_km", "max_minutes"):
                values[key] = None  # JSON null: no limit of this kind
                continue
            try:
                values[key] = _coerce(key, value)
            except (TypeError, ValueError) as exc:
                problems.append(Problem(source, f"parameter {key!r}: {exc}", line))
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "max_km" not in values and values.get("max_minutes") is not None:
            values["max_km"] = None  # minutes given, km left out: a minutes-only region (contract §2)
        if "as_of" not in values and "as_of" not in raw:
            problems.append(Problem(source, "parameter 'as_of' is required (a date, YYYY-MM-DD)"))
        if problems:
            raise InstanceError(problems)
        try:
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise InstanceError([Problem(source, str(exc))]) from exc


def _coerce(key: str, value: Any) -> Any:
    if key == "as_of":
        # A TOML date-time is a datetime, which is also a date: refuse it, the horizon counts days.
        if isinstance(value, dt.datetime):
            raise ValueError(f"{value.isoformat()} is a date-time; expected a date, YYYY-MM-DD")
        if isinstance(value, dt.date):
            return value
        # date.fromisoformat also takes 20230703 and 2023-W27-1; the contract says YYYY-MM-DD.
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError(f"{value!r} is not a date; expected YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a real date; expected YYYY-MM-DD") from None
    if key == "weights":
        if not isinstance(value, dict):
            raise TypeError("must be a table of weights")
        known = {f.name for f in fields(Weights)}
        unknown = set(value) - known
        if unknown:
            hints = "".join(_did_you_mean(name, known) for name in sorted(unknown))
            raise ValueError(f"unknown weight(s) {sorted(unknown)}{hints}; expected {sorted(known)}")
        return Weights(**value)
    if key == "allow_recoupling":
        if not isinstance(value, bool):
            raise TypeError("must be true or false")
        return value
    if key in ("max_km", "max_minutes"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("must be a number")
        if value != value:
            raise ValueError("nan is not a number")
    elif isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("must be a whole number")
    if value < 0:
        raise ValueError(f"{value} is negative; expected at least 0")
    return float(value) if key in ("max_km", "max_minutes") else value


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _line_of(text: str, key: str) -> int | None:
    """The 1-based line of ``text`` where ``key`` is assigned or opens a table, if any."""
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}\s*=|\[\s*{re.escape(key)}\s*\])")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None

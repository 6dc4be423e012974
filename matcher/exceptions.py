"""The exceptions of matcher: one root, and one class per kind of failure the caller can act on."""

from __future__ import annotations

from dataclasses import dataclass


class MatcherError(Exception):
    """Root of every error matcher raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as it can be.

    ``row`` and ``column`` are 1-based as a spreadsheet shows them: the header is row 1, the first
    data row is row 2.  Either may be ``None`` when the problem concerns a whole file or row.
    """

    file: str
    message: str
    row: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class InstanceError(MatcherError):
    """The instance folder (or the parameters) breaks the contract; nothing was solved.

    ``problems`` lists every problem found, each as ``file:row:column: what is wrong``.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class LocksInfeasibleError(MatcherError):
    """The locks cannot all hold together with the hard rules."""


class SolverUnavailableError(MatcherError):
    """The requested solver backend is not installed or unknown."""


class MissingDependencyError(MatcherError):
    """A package a command needs is not installed; the message says which one to install."""

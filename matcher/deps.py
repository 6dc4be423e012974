"""The third-party packages a command needs beyond the solvers, checked before the command starts.

A plain ``pip install matcher`` brings every one of them; this is for an environment where one is
missing all the same (installed with ``--no-deps``, or removed later).  Then the command says in one
line which package to install and exits 2 (:class:`~matcher.exceptions.MissingDependencyError`)
instead of failing half-way with a traceback.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from matcher.exceptions import MissingDependencyError

PACKAGES = {
    "PIL": "pillow",
    "dask": "dask[distributed]",
    "distributed": "dask[distributed]",
    "multipart": "python-multipart",
    "psycopg": "psycopg[binary]",
    "python_multipart": "python-multipart",
    "swagger_ui_bundle": "swagger-ui-bundle-v2",
    "yaml": "pyyaml",
}
"""Import name -> the name to ``pip install`` where the two differ."""


def package_for(module: str) -> str:
    """The package that provides ``module`` (its top-level name), as ``pip install`` spells it."""
    top = module.split(".")[0]
    return PACKAGES.get(top, top)


def pinned(package: str) -> str:
    """``package==version`` as matcher's installed metadata pins it; the bare name if it does not."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        requirements = requires("matcher") or []
    except PackageNotFoundError:
        return package
    base = package.split("[")[0].lower().replace("_", "-")
    for requirement in requirements:
        spec = requirement.split(";")[0].strip()
        name = spec.split("==")[0].split("[")[0].strip().lower().replace("_", "-")
        if name == base and "==" in spec:
            return f"{package}=={spec.split('==')[1].strip()}"
    return package


def missing_message(command: str, purpose: str, exc: ModuleNotFoundError, avoid: str | None = None) -> str:
    """One line: what ``command`` cannot do, the package to install, and the flag that does without."""
    package = package_for(exc.name or "")
    text = f"matcher {command}: {purpose} needs the Python package {package}, which is not installed; " \
           f"install it with: pip install '{pinned(package)}'"
    return text + (f" (or run with {avoid})" if avoid else "")


def require(command: str, needs: Iterable[tuple[str, str, str | None]]) -> None:
    """Import each ``(module, purpose, avoid)``; raise :class:`MissingDependencyError` for the first
    that cannot be imported, naming the package to install and the flag (``avoid``) that does without."""
    for module, purpose, avoid in needs:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            raise MissingDependencyError(missing_message(command, purpose, exc, avoid)) from None

"""The package's boundaries: the engine (``matcher``) never imports the service (``api``), the
checker imports no solver code, the service's ``serve`` and ``token`` come from the entry-point
group, and a missing package is one line and exit 2, never a traceback."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import matcher
from matcher import cli

ROOT = Path(matcher.__file__).resolve().parent
SOLVER_CODE = ("matcher.solvers", "ortools", "pulp", "highspy")


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports (at the top, in a function, or by ``importlib.import_module("...")``)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                package = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts[: -node.level])
                base = f"{package}.{node.module}" if node.module else package
            else:
                base = node.module or ""
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return found


def _is(module: str, names: tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def _module_file(module: str) -> Path | None:
    """The file of a ``matcher`` module, or None for anything else (or a name inside a module)."""
    if not _is(module, ("matcher",)):
        return None
    path = ROOT.parent.joinpath(*module.split("."))
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py")
    return None


def test_the_engine_never_imports_the_service_statically():
    """No module under matcher/ imports api (anywhere in the file, not only at the top)."""
    files = sorted(ROOT.rglob("*.py"))
    assert len(files) > 20
    offending = [f"{path.relative_to(ROOT.parent)}:{line}: imports {name}"
                 for path in files for line, name in _imports(path) if _is(name, ("api",))]
    assert offending == []


def test_the_checker_imports_no_solver_code_statically():
    """matcher/check.py and every matcher module it reaches import neither matcher.solvers nor a solver library."""
    seen: set[Path] = set()
    todo = [ROOT / "check.py"]
    offending = []
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for line, name in _imports(path):
            if _is(name, SOLVER_CODE):
                offending.append(f"{path.relative_to(ROOT.parent)}:{line}: imports {name}")
            reached = _module_file(name)
            if reached is not None and reached != ROOT / "__init__.py":  # the package's re-exports load solvers lazily
                todo.append(reached)
    assert ROOT / "read.py" in seen and ROOT / "models" / "instance.py" in seen
    assert offending == []


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=ROOT.parent)


def test_importing_every_engine_module_loads_no_service_module():
    """At run time, in a fresh interpreter: importing every module of matcher leaves api unloaded."""
    result = _run(
        "import importlib, pkgutil, sys, matcher\n"
        "names = [m.name for m in pkgutil.walk_packages(matcher.__path__, 'matcher.') if m.name != 'matcher.__main__']\n"
        "for name in names: importlib.import_module(name)\n"
        "print(len(names), sorted(m for m in sys.modules if m == 'api' or m.startswith('api.')))\n")
    assert result.returncode == 0, result.stderr
    count, loaded = result.stdout.split(" ", 1)
    assert int(count) > 20 and loaded.strip() == "[]"


def test_importing_the_checker_loads_no_solver_code():
    """At run time: ``import matcher.check`` (and checking a proposal) loads no solver module."""
    result = _run(
        "import sys, matcher.check\n"
        f"print(sorted(m for m in sys.modules if m.startswith({SOLVER_CODE!r})))\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_serve_and_token_come_from_the_entry_point_group():
    """The installed metadata registers the service under matcher.commands; its commands run api.cli."""
    from importlib.metadata import entry_points

    points = {p.name: p.value for p in entry_points(group=cli.COMMAND_GROUP)}
    assert points.get("service") == "api.cli:add_service_commands", (
        f"{points}: re-install the package (pip install -e .) so its entry points are in the metadata")
    parser = cli.build_parser()
    serve = parser.parse_args(["serve", "--port", "0"])
    token = parser.parse_args(["token", "list"])
    assert serve.handler.__module__ == token.handler.__module__ == "api.cli"


def test_without_the_entry_points_the_engine_runs_alone(monkeypatch, tmp_path, capsys):
    """With nothing registered: no serve or token, and the engine's own commands still work."""
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **kwargs: [])
    with pytest.raises(SystemExit) as exited:
        cli.build_parser().parse_args(["serve"])
    assert exited.value.code == 2 and "invalid choice: 'serve'" in capsys.readouterr().err
    assert cli.main(["example", "twente", "--out", str(tmp_path / "twente")]) == 0


def test_a_broken_plugin_is_one_line_and_the_rest_still_runs(monkeypatch, tmp_path, capsys):
    """A registered command that cannot be loaded is reported in one line; propose and example still run."""
    import importlib.metadata

    point = importlib.metadata.EntryPoint(name="broken", value="no_such_package.cli:add", group=cli.COMMAND_GROUP)
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **kwargs: [point])
    assert cli.main(["example", "twente", "--out", str(tmp_path / "twente")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'broken' (no_such_package.cli:add) could not be loaded" in err[0]


BLOCK = "import sys\nfor name in {names!r}: sys.modules[name] = None\nfrom matcher.cli import main\nsys.exit(main({argv!r}))\n"


@pytest.mark.parametrize(("blocked", "argv", "package", "avoid"), [
    (["matplotlib"], ["simulate", "--weeks", "1", "--quiet"], "matplotlib==", "--no-plots"),
    (["tqdm"], ["simulate", "--weeks", "1", "--no-plots"], "tqdm==", "--quiet"),
    (["distributed"], ["sweep", "--weeks", "1", "--quiet", "--no-plots"], "dask[distributed]==", "--serial"),
    (["uvicorn"], ["serve", "--port", "0"], "uvicorn==", None),
    (["sqlalchemy"], ["token", "list"], "sqlalchemy==", None),
])
def test_a_missing_package_is_one_line_and_exit_2(tmp_path, blocked, argv, package, avoid):
    """The command names the package to install (pinned) and the flag that does without; no traceback, nothing run."""
    out = tmp_path / "out"
    argv = [*argv, "--out", str(out)] if argv[0] in ("simulate", "sweep") else [*argv, "--database-url",
                                                                                f"sqlite:///{tmp_path / 'm.db'}"]
    result = subprocess.run([sys.executable, "-c", BLOCK.format(names=blocked, argv=argv)], capture_output=True,
                            text=True, timeout=300, cwd=tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith(f"matcher {argv[0]}: ") and f"pip install '{package}" in lines[0]
    assert (avoid is None) or f"(or run with {avoid})" in lines[0]
    assert not out.exists() and not (tmp_path / "m.db").exists()


REPO = ROOT.parent
SYNTH = "matcher.synth"


def _synth_private_uses(source: str, filename: str) -> list[str]:
    """Every use in ``source`` of a private name of ``matcher.synth`` (a name with a leading
    underscore, dunders aside): imported from it, a private module of it, or an attribute of the
    package, of one of its modules or of a name imported from it."""
    def private(name: str) -> bool:
        return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))

    found: list[str] = []
    bound: set[str] = set()  # local names for matcher.synth, its modules and what was imported from them
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _is(alias.name, (SYNTH,)):
                    if any(private(part) for part in alias.name.split(".")):
                        found.append(f"{filename}:{node.lineno}: imports {alias.name}")
                    bound.add(alias.asname or alias.name)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            from_synth = _is(node.module, (SYNTH,))
            for alias in node.names:
                if from_synth or (node.module == "matcher" and alias.name == "synth"):
                    if from_synth and (any(private(p) for p in node.module.split(".")) or private(alias.name)):
                        found.append(f"{filename}:{node.lineno}: imports {alias.name} from {node.module}")
                    bound.add(alias.asname or alias.name)
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Attribute) and private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute) and not private(base.attr):
                base = base.value
            dotted = ast.unparse(node.value)
            if (isinstance(base, ast.Name) and (base.id in bound or dotted in bound)) or _is(dotted, (SYNTH,)):
                found.append(f"{filename}:{node.lineno}: uses {ast.unparse(node)}")
    return found


def test_private_uses_of_synth_are_found():
    """The check below sees a private name however it is reached (so it can fail)."""
    source = ("import random\nfrom matcher import synth\nfrom matcher.synth import Sampler, _helper\n"
              "import matcher.synth.examples as ex\n"
              "g = synth._Generator('nl', synth._region('nl'), random.Random(0))\n"
              "Sampler._draw\nex.Generator._dwellings\nmatcher.synth.regions._cache\n"
              "synth.make_example('nl')\nsynth.__name__\nrandom._inst\n")
    found = _synth_private_uses(source, "example.py")
    assert sorted(line.split(": ", 1)[1] for line in found) == sorted([
        "imports _helper from matcher.synth",
        "uses synth._Generator", "uses synth._region", "uses Sampler._draw", "uses ex.Generator._dwellings",
        "uses matcher.synth.regions._cache",
    ])


def test_nothing_outside_synth_uses_its_private_names():
    """No module of the project outside matcher/synth (engine, service, benchmarks, tests) reaches
    into a private name of the synthetic-data package: they use its public API."""
    inside = ROOT / "synth"
    files = [path for folder in ("matcher", "api", "benchmarks", "tests")
             for path in sorted((REPO / folder).rglob("*.py")) if inside not in path.parents]
    assert len(files) > 40
    offending = [use for path in files
                 for use in _synth_private_uses(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))]
    assert offending == []

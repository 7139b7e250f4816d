"""Import structure: every module imports on its own, and the services depend one way."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
import tomllib
from itertools import combinations
from pathlib import Path

import grimp

import kirana

ROOT = Path(__file__).resolve().parent.parent
SRC = Path(kirana.__file__).parent
# Top-level packages that are not services (see the layout in docs/architecture.md).
NOT_SERVICES = {"kit", "worker", "seed", "static", "migrations"}


def service_packages() -> list[str]:
    """Every service package: each has a service module (or package) as its public interface."""
    return sorted(
        f"kirana.{p.name}"
        for p in SRC.iterdir()
        if p.is_dir()
        and p.name not in NOT_SERVICES
        and ((p / "service.py").is_file() or (p / "service" / "__init__.py").is_file())
    )


def test_every_module_imports_first() -> None:
    modules = [m.name for m in pkgutil.walk_packages(kirana.__path__, "kirana.")]
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for name in {modules!r}:\n"
        "    for key in [k for k in sys.modules if k.startswith('kirana')]:\n"
        "        del sys.modules[key]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failed.append(f'{name}: {exc}')\n"
        "print('\\n'.join(failed))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", result.stdout


def test_no_two_services_import_each_other() -> None:
    """Directly or through any other module (kirana.deps, a helper): a cycle fails here."""
    graph = grimp.build_graph("kirana")
    services = service_packages()
    assert {"kirana.orders", "kirana.logistics", "kirana.payments"} <= set(services)
    cycles = [
        (
            graph.find_shortest_chain(a, b, as_packages=True),
            graph.find_shortest_chain(b, a, as_packages=True),
        )
        for a, b in combinations(services, 2)
        if graph.chain_exists(a, b, as_packages=True) and graph.chain_exists(b, a, as_packages=True)
    ]
    assert cycles == []


def test_the_layers_contract_names_every_service() -> None:
    """A new service must take its place in the layers, or lint-imports would not see it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = [
        c for c in config["tool"]["importlinter"]["contracts"] if c.get("type") == "layers"
    ]
    layered = {m.strip() for layer in contract["layers"] for m in layer.split("|")}
    assert layered == set(service_packages())


def _imports_inside_functions(source: str) -> list[int]:
    """The lines of every import statement inside a function body."""
    return sorted(
        inner.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(node)
        if isinstance(inner, ast.Import | ast.ImportFrom)
    )


def test_services_import_at_module_level_only() -> None:
    """An import inside a function is how a cycle hides from the import graph."""
    found = [
        f"{path.relative_to(SRC)}:{line}"
        for package in service_packages()
        for path in sorted((SRC / package.removeprefix("kirana.")).rglob("*.py"))
        for line in _imports_inside_functions(path.read_text())
    ]
    assert found == []


def test_lint_imports_fails_on_a_service_cycle(tmp_path: Path) -> None:
    """The contract in pyproject.toml breaks when logistics imports orders back."""
    copy = tmp_path / "src"
    copy.mkdir()
    subprocess.run(["cp", "-r", str(SRC), str(copy)], check=True)
    service = copy / "kirana" / "logistics" / "service.py"
    service.write_text(service.read_text() + "\nfrom kirana.orders import service as _orders\n")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--no-cache"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(copy), "PATH": str(lint.parent)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "kirana.logistics is not allowed to import kirana.orders" in result.stdout


def test_the_check_sees_an_import_inside_a_function() -> None:
    source = "import os\n\n\ndef f():\n    from kirana.orders import service\n    return service\n"
    assert _imports_inside_functions(source) == [5]

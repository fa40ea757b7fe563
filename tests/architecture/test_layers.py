"""The layers of docs/architecture.md hold: import-linter's contracts in pyproject.toml
are kept, and they would catch a domain package importing the web layer; no modules
import each other round a loop."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter over the package under ``root/src`` with ``root``'s contracts."""
    command = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(command), "--config", str(root / "pyproject.toml")],
                          cwd=root, env={"PYTHONPATH": str(root / "src")},
                          capture_output=True, text=True, timeout=120)


def test_the_contracts_are_kept() -> None:
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_a_domain_package_importing_the_web_breaks_the_layers(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "src", tmp_path / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    workflow = tmp_path / "src" / "povertycloud" / "dynamic" / "workflow.py"
    workflow.write_text(workflow.read_text("utf-8") + "\nfrom ..web import app  # noqa\n",
                        "utf-8")
    proc = lint_imports(tmp_path)
    assert proc.returncode != 0
    assert "BROKEN" in proc.stdout
    assert "povertycloud.dynamic.workflow -> povertycloud.web.app" in proc.stdout


def import_cycles(package: str) -> list[list[str]]:
    """The groups of modules of ``package`` that import each other round in a loop (any
    import counts, also one inside a function), by Tarjan's strongly connected components."""
    import grimp  # import-linter's own graph of the imports

    graph = grimp.build_graph(package, cache_dir=None)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = stack[stack.index(module):]
            del stack[stack.index(module):]
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_imports_itself_round_a_loop() -> None:
    assert import_cycles("povertycloud") == []


def test_a_loop_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loop = tmp_path / "loopy"
    loop.mkdir()
    (loop / "__init__.py").write_text("")
    (loop / "a.py").write_text("from . import b\n")
    (loop / "b.py").write_text("def f():\n    from . import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("loopy") == [["loopy.a", "loopy.b"]]

"""The layers of docs/architecture.md hold: import-linter's contracts in pyproject.toml
are kept, and they would catch a domain package importing the web layer."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

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

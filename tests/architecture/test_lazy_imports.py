"""Heavy libraries load on first use: importing the command line or the web application
loads none of them (the command line not even DuckDB or Arrow, so that `povertycloud
--help` starts quickly), and every command's help still works.

Each import is checked in a fresh interpreter, since this one has loaded everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from povertycloud.cli.main import app

# Loaded only by the commands, pages and functions that use them.
HEAVY = ("lightgbm", "sklearn", "scipy", "pandas", "splink", "sqlglot", "openpyxl",
         "pyspark", "py4j", "shapely", "pypinyin", "svy", "polars", "weasyprint",
         "statsmodels")
WEB = ("fastapi", "starlette", "uvicorn", "jinja2")
# What every command but `--help` needs: the command line loads them inside the commands.
DATA = ("duckdb", "pyarrow", "numpy", "yaml", "argon2")


def loaded_by(module: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after importing ``module``."""
    code = (f"import sys, json, {module}\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    return set(json.loads(proc.stdout))


def test_the_command_line_loads_no_heavy_library() -> None:
    assert loaded_by("povertycloud.cli.main") & {*HEAVY, *WEB, *DATA} == set()


def test_the_web_application_loads_no_heavy_library() -> None:
    assert loaded_by("povertycloud.web.app") & set(HEAVY) == set()


def commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand under the (Click-style) ``group``, as the words that
    call it."""
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if hasattr(command, "commands"):
            found += commands(command, (*prefix, name))
    return found


ROOT = typer.main.get_command(app)


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    listed = {line.split()[1] for line in result.output.splitlines()
              if line.startswith("│ ") and len(line.split()) > 2}
    assert set(ROOT.commands) <= listed  # type: ignore[attr-defined]


@pytest.mark.parametrize("words", commands(ROOT), ids=" ".join)
def test_each_command_has_help(words: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert f"Usage: povertycloud {' '.join(words)}" in " ".join(result.output.split())

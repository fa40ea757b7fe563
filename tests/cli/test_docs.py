"""The generated docs cannot drift: `povertycloud docs --check` passes on the committed
files and fails, naming the file, when one line differs; the data standard documents every
table and field of the code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from povertycloud.standard.tables import TABLES, VERSION

POVERTYCLOUD = Path(sys.executable).parent / "povertycloud"
ENV = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")} | {
    "COLUMNS": "200", "NO_COLOR": "1", "PYTHONUTF8": "1"}
REPO = Path(__file__).resolve().parents[2]
DOCS = ("data-standard.md", "rule-fields.md", "cli.md")


def docs(cwd: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(POVERTYCLOUD), "docs", *map(str, args)], cwd=cwd, env=ENV,
                          capture_output=True, encoding="utf-8", timeout=120, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def said(proc: subprocess.CompletedProcess[str]) -> str:
    return " ".join((proc.stdout + "\n" + proc.stderr).split())


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs as the code generates them now, in a folder of their own."""
    folder = tmp_path_factory.mktemp("docs") / "docs"
    proc = docs(folder.parent, "--dir", "docs")
    assert proc.returncode == 0, said(proc)
    assert sorted(p.name for p in folder.iterdir()) == sorted(DOCS)
    return folder


def test_committed_docs_are_up_to_date() -> None:
    proc = docs(REPO, "--check", "--dir", "docs")
    assert proc.returncode == 0, said(proc)
    assert "Docs are up to date" in said(proc)


def test_committed_docs_are_what_the_code_generates(generated: Path) -> None:
    for name in DOCS:
        assert (REPO / "docs" / name).read_bytes() == (generated / name).read_bytes(), name


def test_the_reference_names_both_sides_of_a_flag(generated: Path) -> None:
    reference = (generated / "cli.md").read_text(encoding="utf-8")
    assert "| `--find`, `--list` |" in reference  # `registry duplicates --list`
    assert "| `--feeds`, `--no-feeds` |" in reference


@pytest.mark.parametrize("name", DOCS)
def test_check_names_a_file_that_differs_by_one_line(generated: Path, tmp_path: Path,
                                                      name: str) -> None:
    for doc in DOCS:
        (tmp_path / doc).write_bytes((generated / doc).read_bytes())
    passing = docs(tmp_path, "--check", "--dir", ".")
    assert passing.returncode == 0, said(passing)
    lines = (tmp_path / name).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + " (edited by hand)\n"
    (tmp_path / name).write_text("".join(lines), encoding="utf-8")
    edited = (tmp_path / name).read_bytes()

    proc = docs(tmp_path, "--check", "--dir", ".")
    assert proc.returncode == 1, said(proc)
    assert f"out of date: {name}" in said(proc)
    other = next(doc for doc in DOCS if doc != name)
    assert other not in said(proc)
    assert (tmp_path / name).read_bytes() == edited  # --check never rewrites


def test_check_of_a_folder_without_docs_names_each(tmp_path: Path) -> None:
    proc = docs(tmp_path, "--check", "--dir", "nowhere")
    assert proc.returncode == 1, said(proc)
    for name in DOCS:
        assert f"nowhere/{name}" in said(proc), name
    assert not (tmp_path / "nowhere").exists()


def _sections(text: str) -> dict[str, str]:
    """The body of each second-level heading of a Markdown text."""
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def test_data_standard_documents_every_table_and_field() -> None:
    text = (REPO / "docs" / "data-standard.md").read_text(encoding="utf-8")
    assert f"Version **{VERSION}**" in text
    sections = _sections(text)
    assert set(TABLES) <= set(sections)
    for name, table in TABLES.items():
        body = sections[name]
        documented = re.findall(r"^\| `([a-z0-9_]+)` \|", body, flags=re.MULTILINE)
        assert documented == table.names, name
        assert f"[`{name}`](#{name})" in sections["Tables"], name

"""docs/measures.md cannot drift: its ```python blocks run in order in one namespace, and what
each prints is the ```text block that follows it. The docstring examples run too."""

from __future__ import annotations

import contextlib
import doctest
import importlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "measures.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def examples() -> list[tuple[str, str | None]]:
    """Each python block of the doc with the text block right after it (if any)."""
    blocks = [(m.group(1), m.group(2)) for m in FENCE.finditer(DOC.read_text(encoding="utf-8"))]
    pairs = []
    for i, (lang, code) in enumerate(blocks):
        if lang == "python":
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            pairs.append((code, following[1] if following and following[0] == "text" else None))
    return pairs


def test_doc_states_the_strict_conventions() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "poor means strictly below the line" in text
    assert "deprived means strictly below the cutoff" in text


def test_doc_examples_print_what_the_doc_shows() -> None:
    pairs = examples()
    assert len(pairs) >= 5
    assert all(expected is not None for _, expected in pairs)
    namespace: dict[str, object] = {"__name__": "measures_doc"}
    for code, expected in pairs:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(DOC), "exec"), namespace)
        assert out.getvalue() == expected, code


@pytest.mark.parametrize("module", ["fgt", "alkire_foster"])
def test_docstring_examples(module: str) -> None:
    mod = importlib.import_module(f"povertycloud.measures.{module}")
    failures, tried = doctest.testmod(mod, verbose=False, report=True)
    assert tried > 0
    assert failures == 0

"""A small synthetic province per test module, and its households split into a labelled
40 % (T) and an unlabelled 60 % (P)."""

from __future__ import annotations

from pathlib import Path

import pytest

from povertycloud.synth import SynthConfig, generate
from povertycloud.targeting.synthetic import Split, split

YEAR = 2014


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 20,000 people, generated once per module."""
    root = tmp_path_factory.mktemp("targeting") / "province"
    generate(SynthConfig(people=20_000, seed=3), root)
    return root


@pytest.fixture(scope="module")
def households(province: Path) -> Split:
    return split(province, YEAR, share=0.4)

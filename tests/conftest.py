"""Fixtures shared across the suite: small synthetic provinces, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from povertycloud.synth import SynthConfig, generate


@pytest.fixture(scope="session")
def small_province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A province of about 5,000 people as Parquet (the synth output layout)."""
    root = tmp_path_factory.mktemp("province") / "province"
    generate(SynthConfig(people=5_000, seed=7), root)
    return root

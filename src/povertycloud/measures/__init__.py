"""Poverty measures: Foster–Greer–Thorbecke and Alkire–Foster, exact when the inputs are.

Deprived means strictly below the cutoff and poor means strictly below the line. See
docs/measures.md for the formulas and worked examples.
"""

from __future__ import annotations

from .alkire_foster import AlkireFosterResult, alkire_foster
from .fgt import fgt

__all__ = ["AlkireFosterResult", "alkire_foster", "fgt"]

"""povertycloud: an open platform for targeted poverty alleviation.

The core imports without PySpark; the Spark engine loads it on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]

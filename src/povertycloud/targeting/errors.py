"""What targeting refuses."""

from __future__ import annotations

from ..errors import PovertyCloudError


class TargetingError(PovertyCloudError):
    """Input that targeting cannot use: a missing or non-numeric welfare column, duplicated
    ids, no features in common, too few labelled rows."""

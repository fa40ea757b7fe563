"""Text written by one person and shown to another, kept plain: without the bidirectional
control characters that make "moc.live" (after U+202E) read "evil.com"."""

from __future__ import annotations

# embeddings and overrides (U+202A-202E) and isolates (U+2066-2069)
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def without_bidi(text: str) -> str:
    """``text`` without bidirectional controls (a Markup stays Markup)."""
    return text.translate(BIDI_CONTROLS)

"""The API's JSON answers, free text kept plain as on the pages: without bidirectional
controls, whatever stored them (a complaint's subject, an objection, an imported name).

Removed from the encoded answer, in one place for every route, rather than where text
enters the store: there are many doors in (imports, feeds, forms, the command line),
rows stored before carry them still, and the pages too clean what they show, not what
is kept."""

from __future__ import annotations

import re
from typing import Any

from fastapi.responses import JSONResponse

from ..standard.text import BIDI_CONTROLS

# the controls' UTF-8 bytes (JSON is sent unescaped, so they appear as themselves)
_CONTROLS = re.compile(b"|".join(re.escape(chr(c).encode()) for c in BIDI_CONTROLS))


class PlainJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return _CONTROLS.sub(b"", super().render(content))

"""Jobs the web server runs itself: an import or an intake of an uploaded file, an
identification, a re-evaluation. On the embedded store only one process may write, so
this is how work reaches a store the server holds; on any store it gives progress and a
record of who ran what."""

from .kinds import KINDS
from .records import STATES, job, recent
from .runner import Runner

__all__ = ["KINDS", "STATES", "Runner", "job", "recent"]

"""Two (or more) people doing the same thing at the same moment, each on a cursor of its
own, released together by a barrier: what each one got."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from povertycloud.store import Store

DONE = "done"


def at_once(store: Store, work: Callable[[Store, Any], object], inputs: Sequence[Any],
            refused: type[Exception]) -> list[str]:
    """``work(cursor, input)`` for each input in a thread of its own, all at once: for
    each, ``DONE`` or the message of the ``refused`` exception it raised."""
    results: list[str] = []
    barrier = threading.Barrier(len(inputs))

    def one(given: Any) -> None:
        cursor = store.cursor()
        barrier.wait()
        try:
            work(cursor, given)
            results.append(DONE)
        except refused as exc:
            results.append(str(exc))

    threads = [threading.Thread(target=one, args=(given,)) for given in inputs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results

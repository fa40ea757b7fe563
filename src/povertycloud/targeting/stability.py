"""How many households change decision between two versions of a targeting model on the
same households, and why each one did.

A household is targeted by a version when its predicted welfare is among the lowest
``coverage`` share of that version's predictions. A change is explained by where the
household ranked under each version (its rank as a share of all households: 0 the
poorest, the cut at ``coverage``) and, when the predictions carry their pulls
(``fit-predict --reasons``), by the inputs whose pull on it moved most in the direction of
the change: "disasters -0.17 → -0.02" (log points) for a household no longer targeted
because version B weighs its disaster less.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from .errors import TargetingError
from .evaluation import cut
from .scoring import numbers

REASONS = ("reasons", "pulls")
EXPLAINED_BY = 3  # inputs named in a change's explanation


@dataclass(frozen=True)
class DecisionChanges:
    """Decisions of version A against version B at one coverage."""

    coverage: float
    households: int
    targeted_by_both: int
    targeted_by_neither: int
    now_targeted: int  # targeted by B, not by A
    no_longer_targeted: int  # targeted by A, not by B
    changes: pa.Table  # one row per household that changed, with its ranks and reasons

    @property
    def changed(self) -> int:
        return self.now_targeted + self.no_longer_targeted

    @property
    def changed_share(self) -> float:
        return self.changed / self.households

    def summary(self) -> dict[str, Any]:
        return {"coverage": self.coverage, "households": self.households,
                "targeted_by_both": self.targeted_by_both,
                "targeted_by_neither": self.targeted_by_neither,
                "now_targeted": self.now_targeted,
                "no_longer_targeted": self.no_longer_targeted, "changed": self.changed,
                "changed_share": self.changed_share}


def decision_changes(a: pa.Table, b: pa.Table, id: str, coverage: float) -> DecisionChanges:
    """Compare two prediction tables (``id``, ``predicted_welfare`` and, optionally,
    ``reasons``) of the same households."""
    for label, table in (("A", a), ("B", b)):
        for name in (id, "predicted_welfare"):
            if name not in table.column_names:
                raise TargetingError(f"prediction {label} has no column {name!r}")
    joined = _joined(a, b, id)
    n = joined.num_rows
    k = cut(n, coverage)
    ranks, targeted = [], []
    for side in ("a", "b"):
        values = numbers(joined.column(f"predicted_{side}"),
                         f"prediction {side.upper()}'s 'predicted_welfare'")
        position = np.empty(n, dtype=np.int64)  # 0 the poorest; ties in row order
        position[np.argsort(values, kind="stable")] = np.arange(n)
        ranks.append(position / n)
        targeted.append(position < k)  # the k lowest, as evaluation.lowest marks them
    ta, tb = targeted
    moved = ta != tb
    changes = pa.table({
        id: joined.column(id).filter(pa.array(moved)),
        "decision": pa.array(np.where(tb[moved], "now targeted", "no longer targeted")),
        "rank_a": pa.array(ranks[0][moved]), "rank_b": pa.array(ranks[1][moved]),
        **{f"reasons_{side}": joined.column(f"reasons_{side}").filter(pa.array(moved))
           for side in ("a", "b") if f"reasons_{side}" in joined.column_names},
    })
    if {"pulls_a", "pulls_b"} <= set(joined.column_names):
        pulls = [joined.column(f"pulls_{side}").filter(pa.array(moved)).to_pylist()
                 for side in ("a", "b")]
        changes = changes.append_column("explanation", pa.array(
            [_explain(a_, b_, now) for a_, b_, now in zip(*pulls, tb[moved], strict=True)],
            pa.string()))
    return DecisionChanges(coverage, n, int((ta & tb).sum()), int((~ta & ~tb).sum()),
                           int((tb & ~ta).sum()), int((ta & ~tb).sum()), changes)


def _explain(a: str | None, b: str | None, now_targeted: bool) -> str:
    """The inputs whose pull moved most towards the change (down when now targeted)."""
    before, after = json.loads(a or "{}"), json.loads(b or "{}")
    moves = {name: after.get(name, 0.0) - before.get(name, 0.0)
             for name in set(before) | set(after)}
    sign = -1 if now_targeted else 1
    towards = sorted((name for name, move in moves.items() if sign * move > 0),
                     key=lambda name: -abs(moves[name]))[:EXPLAINED_BY]
    return "; ".join(f"{name} {before.get(name, 0.0):+.2f} → {after.get(name, 0.0):+.2f}"
                     for name in towards)


def _joined(a: pa.Table, b: pa.Table, id: str) -> pa.Table:
    def side(table: pa.Table, tag: str) -> pa.Table:
        extra = [c for c in REASONS if c in table.column_names]
        return table.select([id, "predicted_welfare", *extra]).rename_columns(
            [id, f"predicted_{tag}", *(f"{c}_{tag}" for c in extra)])
    joined = side(a, "a").join(side(b, "b"), id, join_type="inner")
    missing = max(a.num_rows, b.num_rows) - joined.num_rows
    if missing or a.num_rows != b.num_rows:
        raise TargetingError(f"the two predictions are not of the same households: "
                             f"{a.num_rows:,} and {b.num_rows:,} rows, {joined.num_rows:,} "
                             "ids in common")
    return joined.sort_by(id)

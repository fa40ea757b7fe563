"""How two tables are linked: a small YAML file mapping their columns to kinds of
comparison, checked when it loads (errors name the file, line and column).

    left_key: rec_id            # a unique key of each table
    right_key: rec_id
    columns:                    # compared columns: the same name on both sides...
      - {column: given_name, kind: name}
      - {column: date_of_birth, kind: date, format: "%Y%m%d"}
      - {left: addr, right: address_1, kind: address}   # ...or a name on each side
    match: 0.95                 # pairs at or above this probability are matches
    review: 0.5                 # pairs from here up to ``match`` go to review
    blocking:                   # optional: candidate pairs agree on one of these groups
      - [date_of_birth]
      - [given_name_pinyin]     # a name column's pinyin (see ``linkage.pinyin``)
    max_candidate_pairs: 50000000   # refuse blocking that makes more pairs (``blocking``)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..rulefiles import Reader, load

KINDS = ("id_number", "identifier", "name", "date", "address", "exact")
# Candidate pairs compared at most unless a configuration says otherwise (360 million
# filled 19.6 GB before they were stopped).
MAX_CANDIDATE_PAIRS = 50_000_000


@dataclass(frozen=True)
class Column:
    left: str
    right: str
    kind: str
    date_format: str | None = None

    @property
    def name(self) -> str:
        """The name both sides take for comparing: the right side's."""
        return self.right

    @property
    def pinyin(self) -> str:
        """The derived column with the pinyin of a name (``linkage.pinyin``)."""
        return f"{self.name}_pinyin"

    @property
    def pinyin_swapped(self) -> str:
        """The derived column with a Latin name read in the other order, where it may
        be in Western order (``linkage.pinyin.readings``)."""
        return f"{self.name}_pinyin_swapped"


@dataclass(frozen=True)
class LinkConfig:
    path: Path
    left_key: str
    right_key: str
    columns: tuple[Column, ...]
    match: float
    review: float
    blocking: tuple[tuple[str, ...], ...]
    u_pairs: int = 2_000_000  # random pairs to estimate u from (fewer: faster, rougher)
    max_candidate_pairs: int = MAX_CANDIDATE_PAIRS
    blocking_given: bool = True  # False: the default groups (``default_blocking``)

    def of_kind(self, *kinds: str) -> list[Column]:
        return [c for c in self.columns if c.kind in kinds]


def load_link_config(path: Path) -> LinkConfig:
    top = Reader(Path(path), load(Path(path)), "link configuration")
    columns = []
    for item in top.items("columns"):
        r = Reader(top.path, item, "column")
        same = r.get("column", str, None)
        left, right = r.get("left", str, same), r.get("right", str, same)
        if left is None or right is None:
            raise r.fail("give 'column', or 'left' and 'right'")
        r.what = f"column {right}"
        kind = r.get("kind", str)
        if kind not in KINDS:
            raise r.fail(f"unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
        columns.append(Column(left, right, kind, r.get("format", str, None)))
    if not columns:
        raise top.fail("no columns to compare")
    names = [c.name for c in columns] + [n for c in columns if c.kind == "name"
                                         for n in (c.pinyin, c.pinyin_swapped)]
    if len(set(names)) < len(names):
        raise top.fail("two columns compare under the same name (a name's pinyin is "
                       "<name>_pinyin, and <name>_pinyin_swapped)")
    match, review = float(top.get("match", (int, float), 0.95)), \
        float(top.get("review", (int, float), 0.5))
    if not 0 < review <= match < 1:
        raise top.fail(f"need 0 < review <= match < 1, not review {review:g}, "
                       f"match {match:g}")
    blocking = tuple(tuple(group) for group in top.get("blocking", list, []))
    for group in blocking:
        unknown = [g for g in group if g not in names]
        if unknown:
            raise top.fail(f"blocking names columns not compared: {', '.join(unknown)}")
    limit = top.get("max_candidate_pairs", int, MAX_CANDIDATE_PAIRS)
    if limit < 1:
        raise top.fail(f"max_candidate_pairs must be at least 1, not {limit}")
    return LinkConfig(top.path, top.get("left_key", str), top.get("right_key", str),
                      tuple(columns), match, review, blocking or default_blocking(columns),
                      max_candidate_pairs=limit, blocking_given=bool(blocking))


def default_blocking(columns: list[Column] | tuple[Column, ...]) -> tuple[tuple[str, ...], ...]:
    """Candidate pairs agree on an identifier, a date, an exact column, or the pinyin of
    all names (which the same characters always have, and "Zhang Wei" has too); an
    exact column of few values is left out when the tables are seen
    (``blocking.without_coarse_groups``)."""
    groups: list[tuple[str, ...]] = [(c.name,) for c in columns
                                     if c.kind in ("id_number", "identifier", "date", "exact")]
    names = tuple(c.pinyin for c in columns if c.kind == "name")
    if names:
        groups.append(names)
    return tuple(groups)

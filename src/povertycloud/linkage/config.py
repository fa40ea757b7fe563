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
    one_to_one: true            # a left record is about one person: it keeps one match
    margin: 0.1                 # ...when its best candidate is this far ahead of the next
    registry: {household: household_id, village: village_code}  # right-table columns
                                # that tell twins and namesakes in the registry apart
    probabilistic: false        # no model: exact agreement on every column (and the ID)

Every key is checked: a misspelt one is refused, not ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..rulefiles import Reader, load

KINDS = ("id_number", "identifier", "name", "date", "address", "exact")
TOP_KEYS = ("left_key", "right_key", "columns", "match", "review", "blocking",
            "max_candidate_pairs", "one_to_one", "margin", "registry", "probabilistic")
COLUMN_KEYS = ("column", "left", "right", "kind", "format")
# A model learns how often each column agrees among matches from the others: with one
# column there is nothing to learn from (Splink's training fails).
MIN_COLUMNS = 2
MARGIN = 0.1
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

    @property
    def without_house(self) -> str:
        """The derived column with an address but for its house number
        (``linkage.derived``)."""
        return f"{self.name}_without_house"


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
    one_to_one: bool = False  # a left record keeps at most one match (``resolve``)
    margin: float = MARGIN  # ...the best candidate, this far ahead of the next
    household: str | None = None  # right-table columns of the registry's households
    village: str | None = None  # and villages (twins and namesakes, ``resolve``)
    probabilistic: bool = True  # False: exact agreement on every column instead

    def of_kind(self, *kinds: str) -> list[Column]:
        return [c for c in self.columns if c.kind in kinds]


def load_link_config(path: Path) -> LinkConfig:
    top = Reader(Path(path), load(Path(path)), "link configuration")
    top.only(*TOP_KEYS)
    columns = tuple(_column(Reader(top.path, item, "column")) for item in top.items("columns"))
    if not columns:
        raise top.fail("no columns to compare")
    probabilistic = top.get("probabilistic", bool, True)
    if probabilistic and len(columns) < MIN_COLUMNS:
        raise top.fail(f"a model needs at least {MIN_COLUMNS} compared columns to learn "
                       f"from, not {len(columns)}: add columns, or set 'probabilistic: "
                       f"false' to link on exact agreement of every column")
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
    margin = float(top.get("margin", (int, float), MARGIN))
    if not 0 < margin < 1:
        raise top.fail(f"'margin' must lie between 0 and 1 (a difference of "
                       f"probabilities), not {margin:g}")
    blocking = tuple(tuple(group) for group in top.get("blocking", list, []))
    for group in blocking:
        unknown = [g for g in group if g not in names]
        if unknown:
            raise top.fail(f"blocking names columns not compared: {', '.join(unknown)}")
    limit = top.get("max_candidate_pairs", int, MAX_CANDIDATE_PAIRS)
    if limit < 1:
        raise top.fail(f"max_candidate_pairs must be at least 1, not {limit}")
    household, village = _registry(top, columns)
    return LinkConfig(top.path, top.get("left_key", str), top.get("right_key", str),
                      columns, match, review, blocking or default_blocking(columns),
                      max_candidate_pairs=limit, blocking_given=bool(blocking),
                      one_to_one=top.get("one_to_one", bool, False), margin=margin,
                      household=household, village=village, probabilistic=probabilistic)


def _column(r: Reader) -> Column:
    same = r.get("column", str, None)
    left, right = r.get("left", str, same), r.get("right", str, same)
    r.what = f"column {right or left or ''}".strip()
    r.only(*COLUMN_KEYS)
    if left is None or right is None:
        raise r.fail("give 'column', or 'left' and 'right'")
    kind = r.get("kind", str)
    if kind not in KINDS:
        raise r.fail(f"unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
    date_format = r.get("format", str, None)
    if date_format is not None and kind != "date":
        raise r.fail(f"'format' is for columns of kind date, not {kind}")
    return Column(left, right, kind, date_format)


def _registry(top: Reader, columns: tuple[Column, ...]) -> tuple[str | None, str | None]:
    """The right table's household and village columns, when it is a registry."""
    if "registry" not in top.item:
        return None, None
    r = Reader(top.path, top.get("registry", dict), "registry")
    r.only("household", "village")
    if not any(c.kind == "name" for c in columns):
        raise r.fail("telling twins and namesakes apart needs a compared column of kind "
                     "name")
    household, village = r.get("household", str, None), r.get("village", str, None)
    if household is None and village is None:
        raise r.fail("give 'household', 'village' or both: the right table's columns")
    return household, village


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

"""From scored pairs to decisions. One record, one person (``one_to_one``): a left
record keeps its best candidate as a match only when the candidate reaches the match
threshold, is ahead of the next one by the configuration's margin, and is not one of
two registry people the record cannot tell apart; otherwise all its candidates go to
review, side by side, with the reason.

Registry people are told apart from the registry itself (the right table's household
and village columns, ``registry`` in the configuration): twins (one household, one birth
date, names one character apart) and namesakes (one name in one village). A record
tells two such people apart only by an ID number or birth date it is closer to one of
them on, by one's household address and not the other's, or by a name closer to one's
than to the other's: the characters (twins' names may sound alike), the pinyin in
either order, or one character off (a typo elsewhere than where the twins' names
differ). A name one character from both (a typo where they differ) never does.

The SQL is DuckDB's and runs on the engine that scored the pairs (transpiled for
Spark), where the two tables are."""

from __future__ import annotations

from .config import Column, LinkConfig
from .pinyin import same_sound

# Why a pair is under review (``reason``): one code per record.
BELOW_THRESHOLD, RIVAL, TWIN, NAMESAKE = "below_threshold", "rival", "twin", "namesake"
REASONS = (BELOW_THRESHOLD, RIVAL, TWIN, NAMESAKE)
HOUSEHOLD, VILLAGE = "registry_household", "registry_village"  # the right table's


def decisions_sql(config: LinkConfig, scored: str, left: str, right: str,
                  columns: list[str]) -> str:
    """``columns`` of the pairs of ``scored`` (left_key, right_key, match_probability
    and what else the scoring gives, for every candidate pair) that stay, with
    ``decision`` and ``reason``: those from the review threshold up (each pair on its
    own) or, ``one_to_one``, each left record's best candidate as a match, or all its
    candidates from the review threshold up and the twin or namesake it is not told
    apart from, for review."""
    kept = ", ".join(f"r.{c}" for c in columns)
    if not config.one_to_one:
        return f"""
WITH {_judged_sql(config, f"(SELECT * FROM {scored} WHERE match_probability >= "
                          f"{config.review})", left, right)}
SELECT {kept}, CASE WHEN {_pair_reason(config, "r", "u")} IS NULL THEN 'match'
    ELSE 'review' END AS decision, {_pair_reason(config, "r", "u")} AS reason
FROM {scored} r LEFT JOIN undecided u
  ON u.left_key = r.left_key AND u.right_key = r.right_key
WHERE r.match_probability >= {config.review}"""
    return f"""
WITH ranked AS (
  SELECT *, row_number() OVER (PARTITION BY left_key
      ORDER BY match_probability DESC, right_key) AS candidate_rank
  FROM {scored}),
best AS (SELECT * FROM ranked
         WHERE candidate_rank = 1 AND match_probability >= {config.review}),
{_judged_sql(config, "best", left, right)},
runner_up AS (  -- the next candidate, but not a twin or namesake the record rules out
  SELECT r.left_key, max(r.match_probability) AS next_probability
  FROM ranked r LEFT JOIN judged j ON j.left_key = r.left_key AND j.other_id = r.right_key
    AND j.decided
  WHERE r.candidate_rank > 1 AND j.other_id IS NULL
  GROUP BY r.left_key),
verdict AS (
  SELECT b.left_key, b.right_key AS best, COALESCE({_pair_reason(config, "b", "u")},
      CASE WHEN b.match_probability - n.next_probability < {config.margin}
        THEN '{RIVAL}' END) AS reason
  FROM best b LEFT JOIN undecided u ON u.left_key = b.left_key
  LEFT JOIN runner_up n ON n.left_key = b.left_key),
shown AS (SELECT DISTINCT left_key, other_id FROM judged WHERE NOT decided)
SELECT {kept}, CASE WHEN v.reason IS NULL THEN 'match' ELSE 'review' END AS decision,
  v.reason
FROM ranked r JOIN verdict v ON v.left_key = r.left_key
LEFT JOIN shown o ON o.left_key = r.left_key AND o.other_id = r.right_key
WHERE r.right_key = v.best OR (v.reason IS NOT NULL
  AND (r.match_probability >= {config.review} OR o.other_id IS NOT NULL))"""


def _pair_reason(config: LinkConfig, pair: str, undecided: str) -> str:
    return (f"CASE WHEN {pair}.match_probability < {config.match} "
            f"THEN '{BELOW_THRESHOLD}' ELSE {undecided}.kind END")


def _judged_sql(config: LinkConfig, pairs: str, left: str, right: str) -> str:
    """``judged``: for each pair of ``pairs`` whose registry person has a twin or
    namesake (``other_id``; none without ``registry`` columns), whether the record
    tells them apart (``decided``); ``undecided``: the pairs it does not, with the
    kind."""
    body = " UNION ALL ".join(_confusable_sql(config, right)) or (
        f"SELECT unique_id AS person_id, unique_id AS other_id, '' AS kind FROM {right} "
        "WHERE FALSE")
    return f"""confusable AS ({body}),
judged AS (
  SELECT s.left_key, s.right_key, c.other_id, c.kind,
    COALESCE({_decides(config)}, FALSE) AS decided
  FROM {pairs} s JOIN confusable c ON c.person_id = s.right_key
  JOIN {left} l ON l.unique_id = s.left_key
  JOIN {right} p ON p.unique_id = s.right_key
  JOIN {right} o ON o.unique_id = c.other_id),
undecided AS (
  SELECT left_key, right_key, max(kind) AS kind  -- twin before namesake
  FROM judged WHERE NOT decided GROUP BY left_key, right_key)"""


def full_name(config: LinkConfig, table: str) -> str:
    """SQL: the full name of a row of ``table``, its name columns joined."""
    names = [f"{table}.{c.name}" for c in config.of_kind("name")]
    return names[0] if len(names) == 1 else f"concat_ws('', {', '.join(names)})"


def _confusable_sql(config: LinkConfig, right: str) -> list[str]:
    """Pairs of registry people (person_id, other_id, kind) a record may confuse."""
    if not config.of_kind("name"):
        return []
    a, b = full_name(config, "a"), full_name(config, "b")
    found = []
    dates = config.of_kind("date")
    if config.household and dates:
        found.append(f"""
SELECT a.unique_id AS person_id, b.unique_id AS other_id, '{TWIN}' AS kind
FROM {right} a JOIN {right} b ON {twins(HOUSEHOLD, dates[0].name, a, b)}""")
    if config.village or config.household:
        place = VILLAGE if config.village else HOUSEHOLD
        found.append(f"""
SELECT a.unique_id AS person_id, b.unique_id AS other_id, '{NAMESAKE}' AS kind
FROM {right} a JOIN {right} b ON a.{place} = b.{place} AND {a} = {b}
  AND a.unique_id <> b.unique_id""")
    return found


def twins(household: str, born: str, name_a: str, name_b: str) -> str:
    """Two people ``a`` and ``b`` of one household born on one day whose full names
    (``name_a``, ``name_b``) are one character apart: twins, not one person."""
    return (f"a.{household} = b.{household} AND a.{born} = b.{born} "
            f"AND a.unique_id <> b.unique_id AND {one_apart(name_a, name_b)}")


def one_apart(a: str, b: str, longest: int = 16) -> str:
    """Texts of one length (up to ``longest`` characters; longer ones never) that
    differ in one character: the same once that character is taken out of both
    (DuckDB's ``levenshtein`` counts bytes, three to a Chinese character)."""
    without = " OR ".join(
        f"concat(substr({a}, 1, {i - 1}), substr({a}, {i + 1})) = "
        f"concat(substr({b}, 1, {i - 1}), substr({b}, {i + 1}))"
        for i in range(1, longest + 1))
    return (f"(length({a}) = length({b}) AND length({a}) <= {longest} AND {a} <> {b} "
            f"AND ({without}))")


def _decides(config: LinkConfig) -> str:
    """The record ``l`` is closer to the person ``p`` than to the other ``o`` on an
    identifier (edits) or a date (days), has ``p``'s address (a namesake's household
    is another), or a name closer to ``p``'s (:func:`_closer_name`)."""
    closer = [f"levenshtein(l.{c.name}, p.{c.name}) < levenshtein(l.{c.name}, o.{c.name})"
              for c in config.of_kind("id_number", "identifier")]
    closer += [f"abs(date_diff('day', l.{c.name}, p.{c.name})) < "
               f"abs(date_diff('day', l.{c.name}, o.{c.name}))"
               for c in config.of_kind("date")]
    closer += [f"l.{c.name} = p.{c.name} AND l.{c.name} <> o.{c.name}"
               for c in config.of_kind("address")]
    closer += [_closer_name(c) for c in config.of_kind("name")]
    return " OR ".join(f"COALESCE({c}, FALSE)" for c in closer) or "FALSE"


def _closer_name(column: Column) -> str:
    """The record ``l``'s name is ``p``'s and not ``o``'s: in characters, in pinyin
    read either way (a Latin name in Western order), or one character off."""
    name = column.name

    def sounds(who: str) -> str:
        return f"COALESCE({same_sound(column, 'l.{}', who + '.{}')}, FALSE)"

    def near(who: str) -> str:
        return f"(l.{name} = {who}.{name} OR {one_apart(f'l.{name}', f'{who}.{name}')})"

    return " OR ".join(f"({mine} AND NOT {theirs})" for mine, theirs in (
        (f"l.{name} = p.{name}", f"l.{name} = o.{name}"),
        (sounds("p"), sounds("o")),
        (near("p"), near("o"))))

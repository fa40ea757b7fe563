"""Search the registry by name (Chinese characters, whole or a prefix; pinyin in full or
initials), ID number, household number or village, within a jurisdiction.

The server keeps ``web_people_search``: one row per person with the household's village,
the pinyin of the name and a hash of the ID number (keyed where the store seals ID
numbers), sorted by name and indexed (ART) on
name, pinyin, initials and the ID hash, so each kind of search is an index look-up or a
range of the sorted names: milliseconds on ten million people. Pinyin comes from the
pinyin of each distinct character (pypinyin), so indexing a province takes seconds.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from ..access.privacy import mask_id_number
from ..paging import Page
from ..store import Store

INDEX = "web_people_search"
_ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")
_DIGITS = re.compile(r"^\d{1,18}$")
_LATIN = re.compile(r"^[A-Za-z ]+$")


def refresh(store: Store) -> bool:
    """(Re)build the search table when people or households changed; returns whether it
    did."""
    from pypinyin import lazy_pinyin

    stamp = str(store.value(
        "SELECT (SELECT count(*) || ':' || coalesce(max(batch_id), 0) FROM people) || ':' || "
        "(SELECT count(*) || ':' || coalesce(max(batch_id), 0) FROM households)"))
    kept = store.value("SELECT value FROM pc_meta WHERE key = 'web_search_people'")
    if kept == stamp and store.has_table(INDEX):
        return False
    chars = store.column("SELECT DISTINCT unnest(string_split(name, '')) FROM people")
    readings = [lazy_pinyin(c, errors=lambda x: x.lower())[0].lower() for c in chars]
    with store.registered("char_pinyin", pa.table({"ch": chars, "py": readings})), \
            store.transaction():
        store.execute(f"""CREATE OR REPLACE TABLE {INDEX} AS
WITH spelled AS (
  SELECT name, string_agg(py, '' ORDER BY pos) AS pinyin,
    string_agg(left(py, 1), '' ORDER BY pos) AS initials
  FROM (SELECT name, unnest(string_split(name, '')) AS ch,
               generate_subscripts(string_split(name, ''), 1) AS pos
        FROM (SELECT DISTINCT name FROM people))
  JOIN char_pinyin USING (ch) GROUP BY name)
SELECT p.person_id, p.name, p.id_number, {store.lookup_hash('p.id_number')} AS id_key,
  p.relation,
  p.household_id, h.village_code, h.registration_status, s.pinyin, s.initials
FROM people p JOIN households h USING (household_id) LEFT JOIN spelled s USING (name)
ORDER BY p.name, p.person_id""")
        for column in ("name", "pinyin", "initials", "id_key"):
            store.execute(f"CREATE INDEX {INDEX}_{column} ON {INDEX} ({column})")
        store.index(INDEX)  # those the backend needs besides
        store.set_meta("web_search_people", stamp)
    return True


def forget(store: Store, person_id: int) -> None:
    """Take a person merged away out of the search at once (not at the next start)."""
    if store.has_table(INDEX):
        store.execute(f"DELETE FROM {INDEX} WHERE person_id = ?", [person_id])


def kind_of(query: str) -> str:
    """What a query looks for: id_number, household, pinyin or name."""
    text = query.strip()
    if _ID_NUMBER.match(text):
        return "id_number"
    if _DIGITS.match(text):
        return "household"
    return "pinyin" if _LATIN.match(text) else "name"


def search(store: Store, query: str, prefix: str, page: Page | None = None
           ) -> dict[str, Any]:
    """One ``page`` (default: the first 50) of the people (with their household and
    village) matching ``query`` whose village lies under ``prefix``, with how many match
    in all; ID numbers in the results are masked."""
    page = page or Page()
    text = query.strip()
    if not text:
        return page.of([], 0)
    params: list[object]
    kind = kind_of(text)
    if kind == "id_number":
        wheres = [f"id_key = {store.lookup_hash('?')} AND id_number = ?"]
        params = [text.upper()] * 2
    elif kind == "household":
        wheres, params = ["household_id = ?"], [int(text)]
    elif kind == "pinyin":
        spelled = text.replace(" ", "").lower()
        wheres, params = ["pinyin = ?", "initials = ?"], [spelled, spelled]
    else:  # characters: a name or its beginning, or a village's name
        wheres, params = ["name >= ? AND name < ? || chr(1114111)"], [text, text]
        # the villages first: a filter by a subquery would read the whole table on
        # PostgreSQL, one by their codes is answered from an index
        villages = store.column("SELECT code FROM regions WHERE level = 'village' "
                                "AND name = ?", [text])
        if villages:
            wheres.append(f"village_code IN ({', '.join('?' * len(villages))})")
            params += villages
    each = " UNION ".join(f"SELECT * FROM {INDEX} WHERE {w}" for w in wheres)
    found = store.records(f"""
SELECT s.person_id, s.name, s.id_number, s.relation, s.household_id, s.village_code,
  g.name AS village_name, s.registration_status, count(*) OVER () AS total
FROM ({each}) s JOIN regions g ON g.code = s.village_code
WHERE starts_with(s.village_code, ?)
ORDER BY s.name, s.person_id LIMIT ? OFFSET ?""", [*params, prefix, page.size, page.offset])
    total = found[0]["total"] if found else 0
    if not found and page.number > 1:  # past the last page: how many there are
        total = store.scalar(f"SELECT count(*) FROM ({each}) s "
                             "WHERE starts_with(s.village_code, ?)", [*params, prefix])
    for r in found:
        r["id_number"] = mask_id_number(r["id_number"])
        del r["total"]
    return page.of(found, total)

"""Search the registry by name (Chinese characters or pinyin, full or initials), ID
number, household number or village, within a jurisdiction.

Pinyin is kept per distinct name in ``web_name_pinyin``, built from the pinyin of each
distinct character (pypinyin), so a province of millions takes seconds to index and
a search reads only the names that match.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
import pyarrow as pa
from pypinyin import lazy_pinyin

from .figures import rows
from .privacy import mask_id_number

INDEX = "web_name_pinyin"
LIMIT = 50
_ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")
_DIGITS = re.compile(r"^\d{1,18}$")
_LATIN = re.compile(r"^[A-Za-z ]+$")


def refresh(con: duckdb.DuckDBPyConnection) -> bool:
    """(Re)build the pinyin of every distinct name when the people changed; returns
    whether it did."""
    stamp = con.execute("SELECT count(*) || ':' || coalesce(max(batch_id), 0) FROM people"
                        ).fetchone()
    kept = con.execute("SELECT value FROM pc_meta WHERE key = 'web_search_people'").fetchone()
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    if stamp and kept and kept[0] == stamp[0] and INDEX in tables:
        return False
    chars = [r[0] for r in con.execute(
        "SELECT DISTINCT unnest(string_split(name, '')) FROM people").fetchall()]
    readings = [lazy_pinyin(c, errors=lambda x: x.lower())[0].lower() for c in chars]
    con.register("char_pinyin", pa.table({"ch": chars, "py": readings}))
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"""CREATE OR REPLACE TABLE {INDEX} AS
SELECT name, string_agg(py, '' ORDER BY pos) AS pinyin,
  string_agg(left(py, 1), '' ORDER BY pos) AS initials
FROM (SELECT name, unnest(string_split(name, '')) AS ch,
             generate_subscripts(string_split(name, ''), 1) AS pos
      FROM (SELECT DISTINCT name FROM people))
JOIN char_pinyin USING (ch) GROUP BY name""")
        con.execute("INSERT OR REPLACE INTO pc_meta VALUES ('web_search_people', ?)",
                    [stamp[0] if stamp else ""])
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("char_pinyin")
    con.execute("COMMIT")
    return True


def search(con: duckdb.DuckDBPyConnection, query: str, prefix: str) -> list[dict[str, Any]]:
    """People (with their household and village) matching ``query`` whose village lies
    under ``prefix``; ID numbers in the results are masked."""
    text = query.strip()
    if not text:
        return []
    params: list[object]
    if _ID_NUMBER.match(text):
        where, params = "p.id_number = ?", [text.upper()]
    elif _DIGITS.match(text):
        where, params = "p.household_id = ?", [int(text)]
    elif _LATIN.match(text):
        spelled = text.replace(" ", "").lower()
        where = (f"p.name IN (SELECT name FROM {INDEX} WHERE pinyin = ? OR initials = ? "
                 "OR starts_with(pinyin, ?))")
        params = [spelled, spelled, spelled] if len(spelled) > 2 else [spelled, spelled, "\0"]
    else:
        where = ("(starts_with(p.name, ?) OR h.village_code IN "
                 "(SELECT code FROM regions WHERE level = 'village' AND name = ?))")
        params = [text, text]
    found = rows(con.execute(f"""
SELECT p.person_id, p.name, p.id_number, p.relation, p.household_id, h.village_code,
  g.name AS village_name, h.registration_status
FROM people p JOIN households h ON h.household_id = p.household_id
JOIN regions g ON g.code = h.village_code
WHERE {where} AND starts_with(h.village_code, ?)
ORDER BY p.name, p.person_id LIMIT {LIMIT}""", [*params, prefix]))
    for r in found:
        r["id_number"] = mask_id_number(r["id_number"])
    return found

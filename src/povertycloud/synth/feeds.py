"""Department feeds for the synthetic province: what other departments would send about
its people (deaths and births from public security, vehicles from transport, businesses
from market regulation, public employees from human resources, housing purchases, income
tax, school enrolments from education, assistance rolls from civil affairs,
serious-illness claims from medical insurance, disasters from emergency management),
with the faults real feeds have, and the truth of which person each record is, to
measure linkage against. A birth record is the registering mother's: births of 2019-2020
the registry already has, and births of 2021 it does not.

Faults, one per faulty record: a mistyped character in the name, a homophone character
(same pinyin), the name in pinyin, two adjacent ID digits transposed, the ID missing, a
stale address, the record sent twice, and people who are not in the registry at all.
On their own random stream (:class:`ExtraFaults`, none unless asked for): the name in
pinyin in Western order (given name first), people outside the registry who bear the
name of someone of their village, and the ID number missing from a share of all records.
The truth also says which records lack the ID number and which are of registry people
with a look-alike there: a twin or a namesake in the village.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pypinyin import lazy_pinyin

from ..engines import DuckDBEngine, Engine
from ..errors import ConfigError
from ..standard.addresses import HOUSE_NUMBER
from ..standard.ids import birth_date, check_digit, sql_check_digit
from . import names

FAULTS = ("none", "typo", "homophone", "pinyin", "transposed_id", "missing_id",
          "stale_address", "duplicate", "not_in_registry")
EXTRA_FAULTS = ("western_order", "namesake_outside")
LOOKALIKES = ("twin", "namesake")  # what a registry person may have in the registry
OUTSIDE = ("not_in_registry", "namesake_outside")  # records of no registry person
TRUTH = pa.schema([("record_id", pa.int64()), ("person_id", pa.int64()),
                   ("fault", pa.string()), ("id_missing", pa.bool_()),
                   ("lookalike", pa.string())])


@dataclass(frozen=True)
class ExtraFaults:
    """Faults drawn on a stream of their own, so that without them (the default) the
    feeds are as they were."""

    missing_id: float = 0.0  # of all records, those sent without the ID number
    western_order: float = 0.0  # of records without another fault: "Jinghua Lin"
    namesake_outside: float = 0.0  # of them: someone outside the registry of the
    # same name and village (another birth date, ID number and house number)

    def __post_init__(self) -> None:
        shares = (self.missing_id, self.western_order, self.namesake_outside)
        if min(shares) < 0 or max(shares) > 1 or sum(shares[1:]) > 1:
            raise ConfigError("the shares of extra faults must be between 0 and 1 "
                              f"(and western_order + namesake_outside at most 1): {self}")


REALISTIC = ExtraFaults(western_order=0.03, namesake_outside=0.04)  # synth --feeds


_GIVEN = "子浩宇欣怡涵梓轩雨晨思睿嘉博文佳琪"


@dataclass(frozen=True)
class Feed:
    name: str
    department: str
    select: str  # SQL over the province's people p and households h: the records
    share: float = 1.0  # of the rows ``select`` gives, the share the department holds


FEEDS = (
    Feed("public_security_deaths", "public security",
         "SELECT p.person_id, p.name, p.id_number, p.sex, p.birth_date, p.death_date, "
         "h.address FROM people p JOIN households h USING (household_id) "
         "WHERE p.death_date IS NOT NULL"),
    Feed("transport_vehicles", "transport",
         "SELECT p.person_id, p.name, p.id_number, h.address, "
         "CAST(20000 + hash(p.person_id, 'value') % 180000 AS BIGINT) AS value_yuan, "
         "DATE '2015-01-01' + CAST(hash(p.person_id, 'day') % 2000 AS INTEGER) "
         "AS registered_on FROM people p JOIN households h USING (household_id) "
         "WHERE p.relation IN ('head', 'spouse') AND p.death_date IS NULL", share=0.06),
    Feed("market_businesses", "market regulation",
         "SELECT p.person_id, p.name, p.id_number, h.address, "
         "CAST(10000 + hash(p.person_id, 'capital') % 990000 AS BIGINT) "
         "AS registered_capital_yuan, DATE '2014-01-01' + "
         "CAST(hash(p.person_id, 'opened') % 2500 AS INTEGER) AS registered_on "
         "FROM people p JOIN households h USING (household_id) "
         "WHERE p.relation = 'head' AND p.death_date IS NULL", share=0.03),
    Feed("medical_insurance_claims", "medical insurance",
         "SELECT p.person_id, p.name, p.id_number, p.birth_date, h.address, "
         "e.event_date AS claim_date, e.amount_yuan FROM events e "
         "JOIN people p ON p.person_id = e.person_id JOIN households h "
         "ON h.household_id = p.household_id WHERE e.kind = 'serious_illness'"),
    Feed("disaster_reports", "emergency management",
         "SELECT p.person_id, p.name, p.id_number, h.address, e.event_date AS report_date, "
         "e.amount_yuan AS loss_yuan FROM events e JOIN households h USING (household_id) "
         "JOIN people p ON p.household_id = h.household_id AND p.relation = 'head' "
         "WHERE e.kind = 'disaster'"),
    Feed("public_security_births", "public security", f"""
WITH mothers AS (
  SELECT p.person_id, p.name, p.id_number, p.household_id, h.address,
    left(hd.name, 1) AS surname FROM people p JOIN households h USING (household_id)
  JOIN people hd ON hd.household_id = p.household_id AND hd.relation = 'head'
  WHERE p.sex = 'female' AND p.relation IN ('head', 'spouse', 'child_in_law')
    AND p.death_date IS NULL AND p.birth_date BETWEEN DATE '1976-01-01' AND DATE '2000-12-31'),
known AS (
  SELECT m.person_id, m.name, m.id_number, m.address, c.name AS child_name,
    c.id_number AS child_id_number, c.sex AS child_sex, c.birth_date AS child_birth_date
  FROM people c JOIN mothers m USING (household_id)
  WHERE c.birth_date >= DATE '2019-01-01' AND c.relation IN ('child', 'grandchild')
  QUALIFY row_number() OVER (PARTITION BY c.person_id ORDER BY m.person_id) = 1),
born AS (
  SELECT *, CASE WHEN hash(person_id, 'sex') % 2 = 0 THEN 'male' ELSE 'female' END
      AS child_sex,
    DATE '2021-01-01' + CAST(hash(person_id, 'born') % 365 AS INTEGER) AS child_birth_date
  FROM mothers WHERE hash(person_id, 'birth') % 100 < 6),
serial AS (
  SELECT *, left(id_number, 6) || strftime(child_birth_date, '%Y%m%d')
      || lpad(CAST(100 + 2 * row_number() OVER (PARTITION BY left(id_number, 6),
         child_birth_date ORDER BY person_id) + (child_sex = 'male')::INTEGER AS VARCHAR),
         3, '0') AS first17
  FROM born)
SELECT person_id, name, id_number, address, child_name, child_id_number, child_sex,
  child_birth_date FROM known
UNION ALL
SELECT person_id, name, id_number, address,
  surname || substr('{_GIVEN}', 1 + CAST(hash(person_id, 'g1') % {len(_GIVEN)} AS INTEGER), 1)
    || substr('{_GIVEN}', 1 + CAST(hash(person_id, 'g2') % {len(_GIVEN)} AS INTEGER), 1),
  first17 || {sql_check_digit('first17')}, child_sex, child_birth_date
FROM serial ORDER BY person_id, child_birth_date"""),
    Feed("school_enrolments", "education",
         "SELECT p.person_id, p.name, p.id_number, p.birth_date, h.address, "
         "['县第一小学', '乡中心小学', '县第二中学', '乡初级中学'][1 + CAST(hash(p.person_id, "
         "'school') % 4 AS INTEGER)] AS school, CAST(least(12, greatest(1, 2020 - "
         "year(p.birth_date) - 5)) AS BIGINT) AS grade, DATE '2020-09-01' AS term_start "
         "FROM people p JOIN households h USING (household_id) WHERE p.in_school "
         "AND p.death_date IS NULL AND p.birth_date >= DATE '2002-09-01'"),
    Feed("civil_affairs_assistance", "civil affairs",
         "SELECT p.person_id, p.name, p.id_number, h.address, CASE WHEN hash(p.person_id, "
         "'tekun') % 10 = 0 THEN 'extreme_poverty' ELSE 'dibao' END AS kind, "
         "CAST(200 + hash(p.person_id, 'monthly') % 400 AS BIGINT) AS monthly_yuan, "
         "DATE '2014-01-01' + CAST(hash(p.person_id, 'since') % 2500 AS INTEGER) AS since "
         "FROM people p JOIN households h USING (household_id) "
         "WHERE p.min_living_guarantee AND p.death_date IS NULL"),
    Feed("public_employees", "organisation and human resources",
         "SELECT p.person_id, p.name, p.id_number, h.address, "
         "['县教育局', '乡镇人民政府', '县人民医院', '县供电公司', '村民委员会']"
         "[1 + CAST(hash(p.person_id, 'employer') % 5 AS INTEGER)] AS employer, "
         "['civil_servant', 'public_institution', 'public_institution', "
         "'state_enterprise', 'village_cadre'][1 + CAST(hash(p.person_id, 'employer') % 5 "
         "AS INTEGER)] AS post, DATE '2000-01-01' + CAST(hash(p.person_id, 'since') % 7000 "
         "AS INTEGER) AS since FROM people p JOIN households h USING (household_id) "
         "WHERE p.death_date IS NULL AND p.birth_date BETWEEN DATE '1960-01-01' "
         "AND DATE '1995-12-31'", share=0.01),
    Feed("housing_purchases", "housing and urban-rural development",
         "SELECT p.person_id, p.name, p.id_number, h.address, "
         "CASE WHEN hash(p.person_id, 'kind') % 4 = 0 THEN 'resettlement' "
         "ELSE 'commercial' END AS kind, "
         "CAST(150000 + hash(p.person_id, 'price') % 650000 AS BIGINT) AS price_yuan, "
         "CAST(50 + hash(p.person_id, 'area') % 90 AS DOUBLE) AS area_m2, "
         "DATE '2015-01-01' + CAST(hash(p.person_id, 'signed') % 2000 AS INTEGER) "
         "AS contract_date FROM people p JOIN households h USING (household_id) "
         "WHERE p.relation IN ('head', 'spouse') AND p.death_date IS NULL", share=0.02),
    Feed("tax_records", "taxation",
         "SELECT p.person_id, p.name, p.id_number, h.address, 2019 AS tax_year, "
         "CAST(30000 + hash(p.person_id, 'income') % 150000 AS BIGINT) AS income_yuan, "
         "CAST(greatest(0, CAST(hash(p.person_id, 'income') % 150000 AS BIGINT) - 30000) "
         "* 0.03 "
         "AS BIGINT) AS tax_paid_yuan FROM people p JOIN households h USING (household_id) "
         "WHERE p.death_date IS NULL AND p.birth_date BETWEEN DATE '1955-01-01' "
         "AND DATE '2000-12-31'", share=0.02),
)


def write_feeds(province: Path, out: Path, seed: int = 20141, fault_rate: float = 0.25,
                extra: ExtraFaults = ExtraFaults()) -> dict[str, int]:
    """Write each feed of the province at ``province`` (the synth output folder) to
    ``out/<feed>.parquet``, and its truth to ``out/truth/<feed>_links.parquet``; returns
    records per feed. A share ``fault_rate`` of the records carries one fault, and
    ``extra`` adds its own."""
    (out / "truth").mkdir(parents=True, exist_ok=True)
    with DuckDBEngine() as engine:
        for table in ("people", "households", "events"):
            engine.register_parquet(table, province / f"{table}.parquet")
        counts = {}
        lookalikes = _lookalikes(engine)
        for k, feed in enumerate(FEEDS):
            rng = np.random.default_rng([seed, 7, k])
            rows = engine.query(f"SELECT * FROM ({feed.select}) ORDER BY ALL")  # one order
            keep = rng.random(rows.num_rows) < feed.share
            records, truth = _with_faults(
                rows.filter(pa.array(keep)), (rng, np.random.default_rng([seed, 8, k])),
                (fault_rate, extra), engine, lookalikes)
            pq.write_table(records, out / f"{feed.name}.parquet")
            pq.write_table(truth, out / "truth" / f"{feed.name}_links.parquet")
            counts[feed.name] = records.num_rows
        return counts


def _with_faults(rows: pa.Table, rngs: tuple[np.random.Generator, np.random.Generator],
                 rates: tuple[float, ExtraFaults], engine: Engine,
                 lookalikes: dict[int, str]) -> tuple[pa.Table, pa.Table]:
    rng, extra_rng = rngs
    fault_rate, extra = rates
    data = rows.to_pylist()
    n = len(data)
    faulty = rng.random(n) < fault_rate
    kinds = np.where(faulty, rng.integers(1, len(FAULTS), n), 0)
    drawn = extra_rng.random((n, 2))
    spellings = _homophones(engine)
    addresses = engine.query("SELECT address FROM households ORDER BY "
                             "hash(household_id, 'stale'), household_id LIMIT 1000"
                             ).column(0).to_pylist()
    records: list[dict[str, object]] = []
    links: list[dict[str, object]] = []
    outside: list[tuple[int, str, bool]] = []  # a record, its person's ID number, near
    for row, kind, (missing, other) in zip(data, kinds, drawn, strict=True):
        fault = _extra_fault(FAULTS[kind], other, extra)
        person = row.pop("person_id")
        if fault in OUTSIDE:
            outside.append((len(records), str(row["id_number"]), fault == "namesake_outside"))
        if fault == "not_in_registry":  # someone else of the county: name, ID, birth, home
            row["name"] = _other_name(str(row["name"]), rng)
            _born_other(row, str(row["id_number"]), rng)
            row["address"] = addresses[int(rng.integers(len(addresses)))]
            person = None
        elif fault == "namesake_outside":  # the same name, of the same village
            _born_other(row, str(row["id_number"]), extra_rng, near=True)
            row["address"] = _other_house(str(row["address"]), extra_rng)
            person = None
        else:
            _spoil(row, fault, rng, spellings, addresses)
        if missing < extra.missing_id:
            row["id_number"] = None
        copies = 2 if fault == "duplicate" else 1
        for _ in range(copies):
            records.append({"record_id": len(records) + 1, **row})
            links.append({"record_id": len(records), "person_id": person, "fault": fault,
                          "id_missing": row["id_number"] is None,
                          "lookalike": lookalikes.get(person) if person else None})
    _unheld(records, outside, rng, engine)
    return (pa.Table.from_pylist(records, schema=_schema(rows.schema)),
            pa.Table.from_pylist(links, schema=TRUTH))


def _extra_fault(fault: str, drawn: float, extra: ExtraFaults) -> str:
    """The extra fault a record without another one gets, by ``drawn`` in [0, 1)."""
    if fault != "none" or drawn >= extra.western_order + extra.namesake_outside:
        return fault
    return "western_order" if drawn < extra.western_order else "namesake_outside"


def _born_other(row: dict[str, object], own: str, rng: np.random.Generator,
                near: bool = False) -> None:
    """Another valid ID number of the county than ``own``, and the birth date it gives
    (``near``: up to ten years before ``own``'s, as a namesake of the village might be,
    and never after a death the record reports)."""
    row["id_number"] = _other_id(own, rng, near)
    if "birth_date" in row:
        row["birth_date"] = birth_date(str(row["id_number"]))


def _unheld(records: list[dict[str, object]], outside: list[tuple[int, str, bool]],
            rng: np.random.Generator, engine: Engine) -> None:
    """Draw again, until no registry person holds it, the ID number of each record of
    someone outside the registry (``outside``: the record, the ID number it was drawn
    beside, near or not): the county's sequence numbers are all in use, and an ID
    number is one person's."""
    drawn = [d for d in outside if records[d[0]]["id_number"] is not None]
    for _ in range(100):  # a draw is held once in hundreds
        ids = [records[i]["id_number"] for i, _, _ in drawn]
        engine.register_arrow("drawn_ids", pa.table({"id_number": pa.array(ids, pa.string())}))
        held = set(engine.query("SELECT id_number FROM drawn_ids JOIN people "
                                "USING (id_number)").column(0).to_pylist())
        drawn = [d for d in drawn if records[d[0]]["id_number"] in held]
        if not drawn:
            break
        for i, own, near in drawn:
            _born_other(records[i], own, rng, near)
    else:
        raise RuntimeError(f"{len(drawn)} ID numbers of people outside the registry are "
                           "still held by registry people after 100 draws")
    engine.drop("drawn_ids")


def _other_house(address: str, rng: np.random.Generator) -> str:
    """The address with another house number (the house numbers run from 1 to 199)."""
    house = re.search(HOUSE_NUMBER, address)
    if house is None:
        return address
    number = int(rng.integers(1, 199))
    number += number >= int(house.group()[:-1])
    return f"{address[:house.start()]}{number}号"


def _lookalikes(engine: Engine) -> dict[int, str]:
    """Registry people with a twin (same household and birth date, names one character
    apart) or else a namesake (same name, same village), and which."""
    pairs = engine.query("""
SELECT a.person_id, a.name, b.name AS other FROM people a JOIN people b
  ON b.household_id = a.household_id AND b.birth_date = a.birth_date
  AND b.person_id <> a.person_id AND length(b.name) = length(a.name)""").to_pylist()
    found = {int(p["person_id"]): "namesake" for p in engine.query("""
SELECT DISTINCT a.person_id FROM people a JOIN households ha USING (household_id)
JOIN people b ON b.name = a.name AND b.person_id <> a.person_id
JOIN households hb ON hb.household_id = b.household_id
WHERE hb.village_code = ha.village_code""").to_pylist()}
    for p in pairs:
        if sum(x != y for x, y in zip(str(p["name"]), str(p["other"]), strict=True)) == 1:
            found[int(p["person_id"])] = "twin"
    return found


def _schema(source: pa.Schema) -> pa.Schema:
    fields = [pa.field("record_id", pa.int64())]
    fields += [f for f in source if f.name != "person_id"]
    return pa.schema(fields)


def _spoil(row: dict[str, object], fault: str, rng: np.random.Generator,
           spellings: dict[str, list[str]], addresses: list[str]) -> None:
    name = str(row["name"])
    if fault == "typo":
        pool = [c for chars in spellings.values() for c in chars]
        i = int(rng.integers(1, len(name))) if len(name) > 1 else 0
        row["name"] = name[:i] + pool[int(rng.integers(len(pool)))] + name[i + 1:]
    elif fault == "homophone":
        row["name"] = _homophone_of(name, rng, spellings)
    elif fault in ("pinyin", "western_order"):
        row["name"] = _in_pinyin(name, western=fault == "western_order")
    elif fault == "transposed_id":
        row["id_number"] = _transposed(str(row["id_number"]), rng)
    elif fault == "missing_id":
        row["id_number"] = None
    elif fault == "stale_address":
        row["address"] = addresses[int(rng.integers(len(addresses)))]


def _in_pinyin(name: str, western: bool) -> str:
    """The name in pinyin, surname first ("Lin Jinghua") or given name first."""
    syllables = lazy_pinyin(name)  # one per character, read in the name's context
    cut = len(names.split(name)[0])
    surname, given = "".join(syllables[:cut]).title(), "".join(syllables[cut:]).title()
    return f"{given} {surname}" if western else f"{surname} {given}"


def _homophones(engine: Engine) -> dict[str, list[str]]:
    """Characters of the province's names grouped by pinyin (homophones)."""
    chars = engine.query("SELECT DISTINCT unnest(string_split(name, '')) AS c FROM people"
                         ).column(0).to_pylist()
    groups: dict[str, list[str]] = defaultdict(list)
    for c in sorted(chars):
        groups[lazy_pinyin(c)[0]].append(c)
    return dict(groups)


def _homophone_of(name: str, rng: np.random.Generator,
                  spellings: dict[str, list[str]]) -> str:
    """``name`` with one character (the given name's, when it has one) replaced by
    another of the same pinyin; unchanged if none of its characters has a homophone."""
    for i in (*range(1, len(name)), 0):
        others = [c for c in spellings.get(lazy_pinyin(name[i])[0], []) if c != name[i]]
        if others:
            return name[:i] + others[int(rng.integers(len(others)))] + name[i + 1:]
    return name


def _transposed(id_number: str, rng: np.random.Generator) -> str:
    """Two adjacent, different digits of the 17 swapped (the check digit kept)."""
    spots = [i for i in range(6, 16) if id_number[i] != id_number[i + 1]]
    if not spots:
        return id_number
    i = spots[int(rng.integers(len(spots)))]
    return id_number[:i] + id_number[i + 1] + id_number[i] + id_number[i + 2:]


def _other_name(name: str, rng: np.random.Generator) -> str:
    """A name that shares the surname but not the person."""
    letters = "明华强伟芳敏静丽军杰"
    return name[0] + "".join(letters[int(i)] for i in rng.integers(0, len(letters), 2))


def _other_id(id_number: str, rng: np.random.Generator, near: bool = False) -> str:
    """A valid ID number of the same county for someone born on another day (``near``:
    up to ten years before the day ``id_number`` gives)."""
    if near:
        born = birth_date(id_number) - dt.timedelta(days=int(rng.integers(1, 3651)))
    else:
        born = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 60)))
    first17 = f"{id_number[:6]}{born:%Y%m%d}{int(rng.integers(900, 1000)):03d}"
    return first17 + check_digit(first17)

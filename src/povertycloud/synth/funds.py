"""A year of funds for the synthetic province, booked through the product's own doors:
appropriations and allocations down to the counties and townships (``ledger.book``),
payment lists per county, programme and period written as CSV files and booked by
``payments.pay``, the bank's returns reconciled by ``returns.reconcile``, goods in kind
delivered. Anomalies are injected at known rates (``FundRates``), each one that slips past
the checks at booking time or that only later data reveals; what was injected is kept
apart in ``truth_fund_anomalies`` (rule, programme, region_code, household_id, batch_id,
line), for measuring each rule's precision and recall (benchmarks/bench_fund_anomalies.py).
Deterministic for a seed."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..access.accounts import User
from ..errors import PovertyCloudError
from ..feeds.sources import load_sources
from ..funds.anomalies import exempt, load_anomaly_rules, officers_sql
from ..funds.eligibility import eligibility_sql
from ..funds.ledger import Entry, Posting, book
from ..funds.payments import PaymentOrder, pay
from ..funds.periods import period_start, periods_in
from ..funds.programmes import Programme, Programmes, load_programmes
from ..funds.returns import reconcile
from ..intake import import_file
from ..store import Store

TRUTH = "truth_fund_anomalies"
CLERK = "synth"  # who books the synthetic funds
# programmes whose standard or eligibility counts the living members
MEMBERS_COUNT = ('education_subsidy', 'relocation', 'public_welfare_jobs')
RETURNED = ("failed", "other_holder", "amount_differs")  # the bank's returns injected
SUPPLEMENTED = 0.25  # of a county's periods, those with a supplementary list (duplicates)


@dataclass(frozen=True)
class FundRates:
    """The share of each kind of unit that carries an anomaly."""

    ineligible: float = 0.01  # paid households later found ineligible (registry changed)
    paid_after_death: float = 0.02  # of the paid households of no programme counting
    # members (MEMBERS_COUNT): the payee's death, before a payment, recorded later
    shared_account: float = 0.005  # paid households paid into another household's account
    officer_payee: float = 0.005  # paid households with a member added to the roster later
    off_standard: float = 0.005  # lines paid an amount off the standard
    duplicate_benefit: float = 0.005  # lines paid again in a supplementary batch
    split_payments: float = 0.2  # lines above the approval threshold split in two
    late_disbursement: float = 0.05  # batches paid after the programme's deadline
    idle_funds: float = 0.15  # townships leaving part of a programme's allocation idle
    failed: float = 0.01  # bank return lines: failed, paid to another holder, amount differs
    other_holder: float = 0.003
    amount_differs: float = 0.003


@dataclass(frozen=True)
class FundsConfig:
    year: int = 2026
    seed: int = 1
    rates: FundRates = field(default_factory=FundRates)
    jobs_share: float = 0.3  # of eligible households, those given a public-welfare job


Progress = Callable[[str], None]


def synthesize_funds(store: Store, folder: Path, config: FundsConfig = FundsConfig(),
                     programmes: Programmes | None = None,
                     progress: Progress | None = None) -> dict[str, int]:
    """Book a year of funds into ``store`` (identified), writing the payment lists and
    the bank's returns under ``folder``; the truth in ``truth_fund_anomalies``. Returns
    counts: entries, batches, lines, and the anomalies injected by rule."""
    with store.transaction():  # whole or nothing (and one commit: quicker)
        return _synthesize(store, folder, config, programmes or load_programmes(),
                           progress or (lambda _: None))


def _synthesize(store: Store, folder: Path, config: FundsConfig, found: Programmes,
                tell: Progress) -> dict[str, int]:
    if store.count("fund_entries"):
        raise PovertyCloudError("the store has funds booked already: synthetic funds go "
                                "into a store without any")
    province = str(store.value("SELECT min(code) FROM regions WHERE level = 'province'"))
    clerk = User(0, CLERK, "synthetic funds", "admin", province)
    paying = [p for p in found.programmes if p.to_households and p.open_on(
        dt.date(config.year, 6, 30))]
    tell("planning the payment lists")
    _plan(store, paying, config)
    tell("appropriations and allocations")
    entries = _allocations(store, found, province, config)
    book(store, entries, clerk, found)
    batches = _pay_lists(store, folder / "payments", paying, config, clerk, tell)
    tell("bank returns")
    _returns(store, folder / "returns", batches, config, clerk)
    tell("later data: deaths, the registry, the roster")
    _later_data(store, folder, config)
    _truth(store, config)
    counts = {"entries": store.count("fund_entries"), "batches": len(batches),
              "lines": store.count("fund_payments")}
    counts.update({f"truth {r}": int(n) for r, n in store.rows(
        f"SELECT rule, count(*) FROM {TRUTH} GROUP BY rule ORDER BY rule")})
    for table in ("_synth_plan", "_synth_batches", "_synth_idle", "_synth_returned"):
        store.execute(f"DROP TABLE IF EXISTS {table}")
    return counts


def _draw(seed: int, key: str, tag: str) -> str:
    """SQL of a deterministic uniform draw in [0, 1) for ``key`` (SQL)."""
    return f"(hash({key}, {seed}, '{tag}') % 1000000) / 1000000.0"


def period_starts(programme: Programme, year: int) -> dict[str, dt.date]:
    """The periods a programme pays in ``year``, each with the day it starts."""
    assert programme.period is not None
    return {p: period_start(p, programme.period, programme.id)
            for p in periods_in(programme.period, year)}


def _plan(store: Store, paying: list[Programme], config: FundsConfig) -> None:
    """_synth_plan: one row per line to pay (programme, county, period, household, payee,
    account, amount or quantity, batch key), the anomalies of the lists injected."""
    year = store.value("SELECT max(year) FROM identification WHERE year <= ?", [config.year])
    rules = load_anomaly_rules()
    has_roster = store.has_table("feed_public_employees")
    store.execute(f"CREATE OR REPLACE TEMP TABLE _synth_officers AS {officers_sql(store)}",
                  [exempt(rules)] if has_roster else [])
    s, r = config.seed, config.rates
    parts = []
    for p in paying:
        assert p.standard is not None
        low, high = p.standard.bounds_sql(p.units_sql())
        unit = p.unit_value_fen or 1
        share = config.jobs_share if p.id == "public_welfare_jobs" else 1.0
        periods = ", ".join(f"('{k}', DATE '{d}')" for k, d in
                            period_starts(p, config.year).items())
        parts.append(f"""
SELECT '{p.id}' AS programme, '{p.pays}' AS pays, e.household_id, e.village_code,
  left(e.village_code, 6) || '000000' AS county, t.period, t.starts,
  {p.pay_within_days or 365} AS within_days, {p.approval_fen or 'NULL'} AS approval_fen,
  {unit} AS unit_fen, {low} AS low_fen, {high} AS high_fen
FROM ({eligibility_sql(int(year))}) e, (VALUES {periods}) t(period, starts)
WHERE ({p.when_sql}) AND {_draw(s, "e.household_id", p.id)} < {share}""")
    store.execute(f"""
CREATE OR REPLACE TEMP TABLE _synth_eligible AS
SELECT x.*, m.person_id, m.name AS payee_name, m.id_number AS payee_id_number,
  '62284800' || lpad(CAST(x.household_id % 100000000000 AS VARCHAR), 11, '0') AS own_account,
  -- amounts in 100 yuan steps within the standard; goods in whole units
  CASE WHEN pays = 'in_kind' THEN low_fen + CAST(hash(x.household_id, {s}, 'q')
      % ((high_fen - low_fen) // unit_fen + 1) AS BIGINT) * unit_fen
    ELSE low_fen + CAST(hash(x.household_id, {s}, 'a') % ((high_fen - low_fen) // 10000 + 1)
      AS BIGINT) * 10000 END AS amount_fen,
  {_draw(s, "x.household_id", "household")} AS h_draw,
  {_draw(s, "x.household_id || x.programme || x.period", "line")} AS l_draw,
  {_draw(s, "x.county || x.programme || x.period", "supplement")} AS b_draw
FROM ({" UNION ALL ".join(parts)}) x
JOIN (SELECT household_id, arg_min(person_id, person_id) AS person_id,
        arg_min(name, person_id) AS name, arg_min(id_number, person_id) AS id_number
      FROM people WHERE relation = 'head' AND death_date IS NULL GROUP BY household_id) m
  ON m.household_id = x.household_id
WHERE x.high_fen > 0
  AND x.household_id NOT IN (SELECT household_id FROM _synth_officers)
  -- a payee registered twice would be paid in two households: not injected here
  AND m.id_number NOT IN (SELECT id_number FROM people GROUP BY id_number
                          HAVING count(*) > 1)""")
    # household anomalies in disjoint slices of one draw; line anomalies likewise
    h1 = r.ineligible
    h2, h3 = h1 + r.shared_account, h1 + r.shared_account + r.officer_payee
    l1, l2 = r.off_standard, r.off_standard + r.duplicate_benefit / SUPPLEMENTED
    store.execute(f"""
CREATE OR REPLACE TEMP TABLE _synth_plan AS
WITH marked AS (
  SELECT *, CASE WHEN h_draw < {h1} THEN 'ineligible_or_unregistered'
      WHEN h_draw < {h2} THEN 'shared_account'
      WHEN h_draw < {h3} THEN 'officer_payee'
      -- a payee's death changes no standard nor eligibility of these households
      WHEN {_draw(s, "household_id", "death")} < {r.paid_after_death}
        AND household_id NOT IN (SELECT household_id FROM _synth_eligible
          WHERE programme IN {MEMBERS_COUNT}) THEN 'paid_after_death'
      END AS household_anomaly,
    CASE WHEN l_draw < {l1} THEN 'off_standard'
      WHEN l_draw < {l2} AND 2 * amount_fen > high_fen AND b_draw < {SUPPLEMENTED}
        THEN 'duplicate_benefit'
      WHEN l_draw >= {l2} AND l_draw < {l2 + r.split_payments} AND pays <> 'in_kind'
        AND amount_fen > approval_fen AND amount_fen < 2 * approval_fen
        THEN 'split_payments' END AS line_anomaly
  FROM _synth_eligible),
lines AS (
  SELECT * REPLACE (CASE
      WHEN line_anomaly = 'off_standard' AND pays = 'in_kind' THEN 2 * high_fen
      WHEN line_anomaly = 'off_standard'
        THEN high_fen + greatest(10000, high_fen // 20000 * 10000)
      WHEN line_anomaly = 'split_payments' THEN amount_fen // 20000 * 10000
      ELSE amount_fen END AS amount_fen),
    'main' AS part, amount_fen AS standard_fen
  FROM marked),
extras AS (
  SELECT * REPLACE (CASE WHEN line_anomaly = 'split_payments'
      THEN standard_fen - amount_fen ELSE amount_fen END AS amount_fen,
    'extra' AS part)
  FROM lines WHERE line_anomaly IN ('duplicate_benefit', 'split_payments'))
SELECT *,
  CASE WHEN household_anomaly = 'shared_account' THEN coalesce(lag(own_account) OVER (
      PARTITION BY county, programme, period, part ORDER BY household_id), own_account)
    ELSE own_account END AS bank_account,
  county || '/' || programme || '/' || period || '/' || part AS batch_key
FROM (SELECT * FROM lines UNION ALL SELECT * FROM extras)""")
    store.execute("DROP TABLE _synth_eligible")
    store.execute("DROP TABLE _synth_officers")


def _allocations(store: Store, found: Programmes, province: str, config: FundsConfig
                 ) -> list[Entry]:
    """Each programme's money appropriated and allocated down to the counties that pay
    it (the sum of their lists); a region programme's on to each township and spent on
    its projects, some townships leaving part of it idle."""
    y, s = config.year, config.seed
    counties = {str(c): str(p) for c, p in store.rows(
        "SELECT code, parent_code FROM regions WHERE level = 'county' ORDER BY code")}
    needs = {(str(p), str(c)): int(f) for p, c, f in store.rows(
        "SELECT programme, county, sum(amount_fen) FROM _synth_plan GROUP BY ALL")}
    store.execute(f"""
CREATE OR REPLACE TEMP TABLE _synth_idle AS
SELECT code AS township, parent_code AS county, g.programme,
  (100000 + hash(code, g.programme, {s}, 'size') % 900000) * 100 AS allotted_fen,
  {_draw(s, "code || g.programme", "idle")} < {config.rates.idle_funds} AS idle
FROM regions, (VALUES {", ".join(f"('{p.id}')" for p in found.programmes
                                 if not p.to_households)}) g(programme)
WHERE level = 'township'""")
    for county, programme, allotted in store.rows(
            "SELECT county, programme, allotted_fen FROM _synth_idle"):
        needs[(programme, county)] = needs.get((programme, county), 0) + int(allotted)
    day = dt.date(y, 1, 5)
    entries: list[Entry] = []
    for p in found.programmes:
        mine = {c: f for (q, c), f in needs.items() if q == p.id and f > 0}
        if not mine:
            continue
        if p.source == "county":
            entries += [_move("appropriation", p.id, day, f"source:{p.source}",
                              f"region:{c}", f) for c, f in mine.items()]
            continue
        entries.append(_move("appropriation", p.id, day, f"source:{p.source}",
                             f"region:{province}", sum(mine.values())))
        by_prefecture: dict[str, int] = {}
        for c, f in mine.items():
            by_prefecture[counties[c]] = by_prefecture.get(counties[c], 0) + f
        entries += [_move("allocation", p.id, day + dt.timedelta(5), f"region:{province}",
                          f"region:{pf}", f) for pf, f in by_prefecture.items()]
        entries += [_move("allocation", p.id, day + dt.timedelta(10),
                          f"region:{counties[c]}", f"region:{c}", f) for c, f in mine.items()]
    for township, county, programme, allotted, idle in store.rows(
            "SELECT * FROM _synth_idle ORDER BY township, programme"):
        got = dt.date(y, 2, 1)
        entries.append(_move("allocation", programme, got, f"region:{county}",
                             f"region:{township}", int(allotted)))
        spent = int(allotted) * 6 // 10 if idle else int(allotted)
        first = spent // 2
        for n, (amount, days) in enumerate(((first, 20), (spent - first, 50)), 1):
            entries.append(_move("disbursement", programme, got + dt.timedelta(days),
                                 f"region:{township}",
                                 f"project:{township}/{programme}-{n}", amount))
    return entries


def _move(kind: str, programme: str, day: dt.date, source: str, target: str, fen: int
          ) -> Entry:
    return Entry(kind, programme, day, (Posting(source, -fen), Posting(target, fen)),
                 memo=f"synthetic {kind}")


def _pay_lists(store: Store, folder: Path, paying: list[Programme], config: FundsConfig,
               clerk: User, tell: Progress) -> dict[str, tuple[int, str, dt.date]]:
    """Write and book each batch's payment list; batch key: (batch id, pays, day)."""
    s, y = config.seed, config.year
    last = dt.date(y, 12, 31)
    batches = store.records(f"""
SELECT batch_key, min(county) AS county, min(programme) AS programme,
  min(period) AS period, min(pays) AS pays, min(part) AS part, min(starts) AS starts,
  min(within_days) AS within_days,
  {_draw(s, "min(county) || min(programme) || min(period)", "late")} AS late_draw
FROM _synth_plan GROUP BY batch_key""")
    by_id = {p.id: p for p in paying}
    dated = []
    for b in batches:
        base = max(b["starts"], dt.date(y, 1, 20))
        spread = int(b["within_days"]) * 3 // 10
        offset = abs(hash_of(b["batch_key"].rsplit("/", 1)[0], s)) % max(spread, 1)
        deadline = b["starts"] + dt.timedelta(int(b["within_days"]))
        on = base + dt.timedelta(offset)
        late = deadline + dt.timedelta(5 + offset % 20)
        if b["late_draw"] < config.rates.late_disbursement and late + dt.timedelta(7) <= last:
            on = late
        if b["part"] == "extra":
            on += dt.timedelta(7)
        dated.append((min(on, last), b))
    dated.sort(key=lambda x: (x[0], x[1]["batch_key"]))
    done: dict[str, tuple[int, str, dt.date]] = {}
    folder.mkdir(parents=True, exist_ok=True)
    for n, (on, b) in enumerate(dated, 1):
        if n % 10 == 1:
            tell(f"payment lists: {n:,} of {len(dated):,}")
        path = folder / (b["batch_key"].replace("/", "_") + ".csv")
        _write_list(store, path, b["batch_key"], b["pays"])
        order = PaymentOrder(by_id[b["programme"]], b["county"], b["period"], on)
        done[b["batch_key"]] = (pay(store, path, order, clerk).batch_id, b["pays"], on)
    keys = pa.table({"batch_key": list(done), "batch_id": [v[0] for v in done.values()],
                     "value_date": pa.array([v[2] for v in done.values()], pa.date32())})
    with store.registered("_synth_keys_", keys):
        store.execute("CREATE OR REPLACE TEMP TABLE _synth_batches AS "
                      "SELECT * FROM _synth_keys_")
    return done


def hash_of(text: str, seed: int) -> int:
    """A deterministic number for ``text`` (Python's own hash of strings is salted)."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{text}".encode()).digest()[:6], "big")


def _write_list(store: Store, path: Path, key: str, pays: str) -> None:
    rows = store.rows("SELECT household_id, payee_name, payee_id_number, bank_account, "
                      "amount_fen, unit_fen FROM _synth_plan WHERE batch_key = ? "
                      "ORDER BY household_id", [key])
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        if pays == "in_kind":
            out.writerow(["household_id", "payee_name", "payee_id_number", "quantity"])
            out.writerows([h, n, i, a // u] for h, n, i, _, a, u in rows)
            return
        out.writerow(["household_id", "payee_name", "payee_id_number", "bank_account",
                      "amount_yuan"])
        out.writerows([h, n, i, acc, f"{a // 100}.{a % 100:02d}"]
                      for h, n, i, acc, a, _ in rows)



def _returns(store: Store, folder: Path, batches: dict[str, tuple[int, str, dt.date]],
             config: FundsConfig, clerk: User) -> None:
    """The bank's return of each cash batch, a few lines failed, paid to another holder
    or for another amount, reconciled; the lines so returned in _synth_returned."""
    folder.mkdir(parents=True, exist_ok=True)
    r = config.rates
    cuts = (r.failed, r.failed + r.other_holder, r.failed + r.other_holder + r.amount_differs)
    last = dt.date(config.year, 12, 31)
    returned: list[tuple[int, int, str]] = []
    for batch_id, pays, on in batches.values():
        if pays == "in_kind":
            continue
        path = folder / f"batch-{batch_id}.csv"
        lines = store.rows(
            f"SELECT line, payee_name, bank_account, amount_fen, "
            f"{_draw(config.seed, 'line', str(batch_id))} FROM fund_payments "
            "WHERE batch_id = ? ORDER BY line", [batch_id])
        day = min(on + dt.timedelta(2), last)
        with path.open("w", newline="", encoding="utf-8") as file:
            out = csv.writer(file)
            out.writerow(["record_id", "payment_batch", "line", "status", "paid_yuan",
                          "holder_name", "bank_account", "reason", "value_date"])
            for line, name, account, amount, u in lines:
                paid, status, reason = amount, "paid", ""
                if u < cuts[0]:
                    status, reason, paid = "failed", "closed_account", None
                elif u < cuts[1]:
                    name, account = name + "某", account[:-4] + "0000"
                elif u < cuts[2]:
                    paid = amount - 5000
                if u < cuts[2]:
                    returned.append((batch_id, line, RETURNED[sum(u >= c for c in cuts)]))
                out.writerow([batch_id * 1_000_000 + line, batch_id, line, status,
                              "" if paid is None else f"{paid // 100}.{paid % 100:02d}",
                              name, account, reason, day])
        reconcile(store, path, batch_id, clerk, today=last)
    table = pa.table({"batch_id": pa.array([b for b, _, _ in returned], pa.int64()),
                      "line": pa.array([n for _, n, _ in returned], pa.int64()),
                      "outcome": [o for _, _, o in returned]})
    with store.registered("_synth_returned_", table):
        store.execute("CREATE OR REPLACE TEMP TABLE _synth_returned AS "
                      "SELECT * FROM _synth_returned_")


def _later_data(store: Store, folder: Path, config: FundsConfig) -> None:
    """What only later data reveals: the deaths of some payees before they were paid
    (the deaths feed's records, and the registry), households struck from the registry,
    members found on the public-employee roster (its feed's records)."""
    store.execute("""
CREATE OR REPLACE TEMP TABLE _synth_deaths AS
SELECT p.person_id, min(b.value_date) - 1 - CAST(hash(p.person_id) % 30 AS INTEGER) AS died
FROM _synth_plan p JOIN _synth_batches b USING (batch_key)
WHERE p.household_anomaly = 'paid_after_death' GROUP BY p.person_id""")
    _feed(store, folder, "public_security_deaths", config, store.rows(
        "SELECT m.name, m.id_number, m.sex, m.birth_date, d.died, h.address FROM "
        "_synth_deaths d JOIN people m USING (person_id) JOIN households h USING "
        "(household_id) ORDER BY m.person_id"))
    store.execute("UPDATE people SET death_date = d.died FROM _synth_deaths d "
                  "WHERE people.person_id = d.person_id")
    store.execute("DROP TABLE _synth_deaths")
    store.execute("UPDATE households SET registration_status = 'not_registered' "
                  "WHERE household_id IN (SELECT household_id FROM _synth_plan "
                  "WHERE household_anomaly = 'ineligible_or_unregistered')")
    _feed(store, folder, "public_employees", config, store.rows(f"""
SELECT DISTINCT ON (p.household_id) m.name, m.id_number, h.address, '乡镇人民政府',
  'civil_servant', DATE '{config.year}-01-01'
FROM _synth_plan p JOIN people m ON m.household_id = p.household_id
JOIN households h ON h.household_id = p.household_id
WHERE p.household_anomaly = 'officer_payee' AND m.death_date IS NULL
  AND m.id_number NOT IN (SELECT id_number FROM people GROUP BY id_number
                          HAVING count(*) > 1)
  AND m.birth_date <= DATE '{config.year - 20}-01-01'
ORDER BY p.household_id, hash(m.person_id, {config.seed})"""))


FEED_COLUMNS = {
    "public_security_deaths": ("name", "id_number", "sex", "birth_date", "death_date",
                               "address"),
    "public_employees": ("name", "id_number", "address", "employer", "post", "since")}


def _feed(store: Store, folder: Path, source: str, config: FundsConfig,
          rows: list[Any]) -> None:
    """Take ``rows`` in as a department's feed, numbered after its records so far."""
    if not rows:
        return
    table = f"feed_{source}"
    first = int(store.value(f"SELECT max(record_id) FROM {table}") or 0) \
        if store.has_table(table) else 0
    path = folder / f"{source}.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(["record_id", *FEED_COLUMNS[source]])
        out.writerows([first + n, *("" if v is None else v for v in row)]
                      for n, row in enumerate(rows, 1))
    import_file(store, load_sources()[source].table, path, label=path.name,
                today=dt.date(config.year, 12, 31))


def _truth(store: Store, config: FundsConfig) -> None:
    """truth_fund_anomalies: what was injected, by rule, apart from the product's data."""
    lines = ("SELECT p.*, f.batch_id, f.line, f.entry_id FROM _synth_plan p "
             "JOIN _synth_batches b USING (batch_key) JOIN fund_payments f "
             "ON f.batch_id = b.batch_id AND f.household_id = p.household_id")
    store.execute(f"DROP TABLE IF EXISTS {TRUTH}")
    store.execute(f"""
CREATE TABLE {TRUTH} AS
WITH lines AS ({lines})
SELECT household_anomaly AS rule, programme, village_code AS region_code, household_id,
  batch_id, line, entry_id FROM lines
WHERE household_anomaly IN ('ineligible_or_unregistered', 'paid_after_death',
  'officer_payee')
UNION ALL
SELECT line_anomaly, programme, village_code, household_id, batch_id, line, entry_id
FROM lines WHERE line_anomaly = 'off_standard'
  OR (line_anomaly = 'duplicate_benefit' AND part = 'extra')
  OR (line_anomaly = 'split_payments' AND part = 'main')
UNION ALL
SELECT DISTINCT 'shared_account', NULL, village_code, household_id, NULL, NULL, NULL
FROM lines WHERE pays <> 'in_kind' AND bank_account IN (
  SELECT bank_account FROM _synth_plan WHERE pays <> 'in_kind' GROUP BY bank_account
  HAVING count(DISTINCT household_id) > 1)
UNION ALL
SELECT 'late_disbursement', b.programme, b.county_code, NULL, b.batch_id, NULL, NULL
FROM fund_payment_batches b JOIN _synth_batches s USING (batch_id)
WHERE s.batch_key IN (SELECT batch_key FROM _synth_plan p WHERE b.value_date
  > p.starts + p.within_days)
UNION ALL
SELECT 'idle_funds', programme, township, NULL, NULL, NULL, NULL FROM _synth_idle WHERE idle
UNION ALL
SELECT 'bank_' || outcome, NULL, NULL, NULL, batch_id, line, NULL
FROM _synth_returned""")


"""Re-evaluation: every household (yearly, the dynamic adjustment) or those touched by new
data since the last run (events) is compared with the rules of rules/reevaluation.yaml,
and each that qualifies for a change of status gets a proposal, which then walks its
procedure (:mod:`.workflow`). Nothing changes status here.

One SQL statement over the store evaluates the province; the proposals and the run's
record land in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import PovertyCloudError
from ..identification.plan import load_rules
from ..identification.runs import identified, identify, latest_year, require_identification
from ..lines import PovertyLines, load_lines
from ..pipeline.rollups import status_as_of_sql
from ..profile.income import net_income_sql
from ..progress import Progress
from ..rulefiles import Reader, RuleSet, header, load, shipped
from ..sqltext import date_literal, literal
from ..standard.codes import EVENT_KINDS
from ..store import Store
from .procedures import Procedures, load_procedures

DEFAULT = "reevaluation.yaml"
SYSTEM = "re-evaluation"
# the evidence a proposal of the re-evaluation keeps: its figures by name
EVIDENCE = {"ratio": "round(ratio, 3)", "stable_ratio": "round(stable_ratio, 3)",
            "years_seen": "years_seen", "net_before": "net_before",
            "guarantees_failed": "guarantees_failed", "hardship_amount": "hardship_amount",
            "alive": "alive", "moved": "moved"}


@dataclass(frozen=True)
class Thresholds(RuleSet):
    exit_factor: float
    stable_years: int
    monitor_factor: float
    end_monitoring_factor: float
    hardship_share: float
    hardship_events: tuple[str, ...]
    cooldown_days: int


def load_thresholds(path: Path | None = None) -> Thresholds:
    """Load and check a re-evaluation rule file (the shipped one when ``path`` is None)."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    r = Reader(path, load(path), "re-evaluation")
    number = (int, float)
    t = Thresholds(**header(r), exit_factor=float(r.get("exit_factor", number)),
                   stable_years=r.get("stable_years", int),
                   monitor_factor=float(r.get("monitor_factor", number)),
                   end_monitoring_factor=float(r.get("end_monitoring_factor", number)),
                   hardship_share=float(r.get("hardship_share", number)),
                   hardship_events=tuple(r.get("hardship_events", list)),
                   cooldown_days=r.get("cooldown_days", int))
    if t.exit_factor < 1:
        raise r.fail(f"exit_factor {t.exit_factor} would let households below the line exit")
    if t.stable_years < 1:
        raise r.fail("stable_years must be at least 1")
    if not t.exit_factor <= t.monitor_factor <= t.end_monitoring_factor:
        raise r.fail("the factors must rise: exit_factor <= monitor_factor <= "
                     "end_monitoring_factor (the band between the last two is the hysteresis)")
    if t.hardship_share <= 0:
        raise r.fail("hardship_share must be positive")
    unknown = set(t.hardship_events) - set(EVENT_KINDS)
    if unknown:
        raise r.fail(f"unknown event kinds {sorted(unknown)}; the kinds are "
                     f"{', '.join(EVENT_KINDS)}")
    if t.cooldown_days < 0:
        raise r.fail("cooldown_days cannot be negative")
    return t


@dataclass
class Reevaluation:
    reevaluation_id: int | None  # None for a dry run
    year: int
    as_of: dt.date
    households: int
    proposals: Counter[str]
    seconds: float


def reevaluate(store: Store, year: int | None = None, as_of: dt.date | None = None, *,
               events_since: dt.datetime | None = None, by: str = SYSTEM,
               thresholds: Thresholds | None = None, lines: PovertyLines | None = None,
               procedures: Procedures | None = None, dry_run: bool = False,
               on: dt.date | None = None) -> Reevaluation:
    """Propose changes of status for the households of the survey ``year`` (default: the
    latest) as of ``as_of`` (default: that year's 31 December). With ``events_since``,
    only households with new events, deaths, births, surveys or verified flags since
    then are evaluated. Households with an open proposal are left to it. The proposals
    are dated ``on`` (default today), their deadlines counted from it."""
    started, clock = dt.datetime.now(), time.perf_counter()
    if on is not None and on > dt.date.today():
        raise PovertyCloudError(f"proposals cannot be dated in the future ({on})")
    t, lines = thresholds or load_thresholds(), lines or load_lines()
    procedures = procedures or load_procedures()
    year = year if year is not None else latest_year(store)
    as_of = as_of or dt.date(year, 12, 31)
    require_identification(store, year)
    select = proposals_sql(t, lines, year, as_of, events_since)
    with store.transaction():
        # a temporary table made in the transaction: a failure rolls it back too
        store.execute(f"CREATE TEMP TABLE reevaluated AS {select}")
        households = store.scalar("SELECT count(*) FROM reevaluated")
        counts: Counter[str] = Counter(dict(store.rows(
            "SELECT kind, count(*) FROM reevaluated WHERE kind IS NOT NULL GROUP BY 1")))
        run_id = None if dry_run else _keep(store, procedures, t, lines, year, as_of,
                                             events_since, by, started, households,
                                             sum(counts.values()), on or dt.date.today())
        store.execute("DROP TABLE temp.main.reevaluated")
    return Reevaluation(run_id, year, as_of, households, counts,
                        time.perf_counter() - clock)


def adjust(store: Store, year: int | None = None, as_of: dt.date | None = None, *,
           events: bool = False, since: dt.date | None = None, dry_run: bool = False,
           progress: Progress | None = None) -> Reevaluation:
    """What `povertycloud reevaluate` does: the ``year`` (default: the latest) identified
    first if it has not been, then re-evaluated; with ``events``, only the households
    with data new since ``since`` (default: the last run). One transaction: a year
    identified first is kept only with its proposals. ``progress`` hears each step."""
    say = progress or (lambda step: None)
    with store.transaction():
        chosen = year or latest_year(store)
        if not identified(store, chosen):
            say(f"identify {chosen}")
            identify(store, load_rules(), chosen)
        start = None
        if events:
            start = dt.datetime.combine(since, dt.time()) if since else last_run(store)
            if start is None:
                raise PovertyCloudError("no earlier re-evaluation: give --since DATE")
        say("re-evaluate")
        return reevaluate(store, chosen, as_of, events_since=start, dry_run=dry_run)


def _keep(store: Store, procedures: Procedures, t: Thresholds,
          lines: PovertyLines, year: int, as_of: dt.date, since: dt.datetime | None, by: str,
          started: dt.datetime, households: int, proposals: int, on: dt.date) -> int:
    rules = json.dumps({"reevaluation": t.label, "procedures": procedures.label,
                        "poverty_lines": lines.label}, ensure_ascii=False)
    run_id = store.draw("reevaluation_ids", 1) + 1
    store.execute(
        "INSERT INTO reevaluations (reevaluation_id, trigger, year, as_of, rules, households, "
        "proposals, run_by, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, "events" if since else "yearly", year, as_of, rules, households, proposals,
         by, started, dt.datetime.now()])
    cases = " ".join(f"WHEN {literal(k)} THEN {literal(p.procedure)}"
                     for p in procedures.procedures for k in p.kinds)
    firsts = " ".join(f"WHEN {literal(p.procedure)} THEN {literal(p.steps[0].step)}"
                      for p in procedures.procedures)
    deadlines = " ".join(f"WHEN {literal(p.procedure)} THEN {p.deadline_days}"
                         for p in procedures.procedures)
    first = store.draw("proposal_ids", proposals)  # numbered by village and household
    store.execute(f"""
INSERT INTO proposals (proposal_id, subject, household_id, region_code, kind, monitor_kind,
  reasons, evidence, procedure, rules, step, state, origin, reevaluation_id, proposed_by,
  proposed_on, due_on, version)
SELECT {first} + row_number() OVER (ORDER BY village_code, household_id), 'household',
  household_id, village_code, kind, monitor_kind, reasons, evidence,
  procedure, {literal(procedures.label)}, CASE procedure {firsts} END, 'open',
  {literal("events" if since else "yearly")}, {run_id}, {literal(by)}, {date_literal(on)},
  {date_literal(on)} + CAST(CASE procedure {deadlines} END AS INTEGER), 0
FROM (SELECT *, CASE kind {cases} END AS procedure FROM reevaluated
      WHERE kind IS NOT NULL)""")
    store.execute("INSERT INTO open_proposals SELECT 'household ' || household_id, "
                  "proposal_id FROM proposals WHERE reevaluation_id = ?", [run_id])
    return run_id


def proposals_sql(t: Thresholds, lines: PovertyLines, year: int, as_of: dt.date,
                  since: dt.datetime | None = None) -> str:
    """One row per household evaluated: its status, the figures, and the proposal (kind
    NULL when nothing changes) with its reasons."""
    d, first = date_literal(as_of), year - t.stable_years + 1
    line_rows = ", ".join(f"({y}, {lines.line_for(y)})"
                          for y in range(min(first, year - 1), year + 1))
    hardship = ", ".join(literal(k) for k in t.hardship_events)
    touched = f"AND h.household_id IN ({_touched_sql(since)})" if since else ""
    return f"""
WITH lines(year, line) AS (VALUES {line_rows}),
income AS (
  SELECT household_id,
    max(ratio) FILTER (WHERE year = {year}) AS ratio,
    min(ratio) FILTER (WHERE year >= {first}) AS stable_ratio,
    count(*) FILTER (WHERE year >= {first}) AS years_seen,
    max(net) FILTER (WHERE year = {year - 1}) AS net_before
  FROM (SELECT household_id, year, net, net / members / line AS ratio
        FROM (SELECT y.household_id, y.year, y.members, l.line, {net_income_sql("y")} AS net
              FROM household_years y JOIN lines l ON l.year = y.year))
  GROUP BY household_id),
status AS ({status_as_of_sql(as_of)}),
past AS (SELECT household_id, bool_or(status = 'exited') AS ever_exited,
           bool_or(status = 'monitored') AS ever_monitored,
           max(effective_date) FILTER (WHERE status IN ('registered_poor', 'monitored'))
             AS entered
         FROM status_changes WHERE effective_date <= {d} GROUP BY household_id),
-- decided since the as-of day: the registry has moved on, the household is left alone
later AS (SELECT DISTINCT household_id FROM status_changes WHERE effective_date > {d}),
alive AS (SELECT household_id, count(*) AS alive FROM people p
          WHERE birth_date <= {d} AND (death_date IS NULL OR death_date > {d})
            AND person_id NOT IN (SELECT person_id FROM events WHERE kind = 'moved_away'
                                  AND person_id IS NOT NULL AND event_date <= {d})
          GROUP BY household_id),
moved AS (SELECT household_id, max(event_date) AS moved_on FROM events
          WHERE kind = 'moved_away' AND person_id IS NULL AND event_date <= {d}
          GROUP BY household_id),
hardship AS (SELECT household_id, sum(amount_yuan) AS amount FROM events
             WHERE kind IN ({hardship}) AND event_date > {d} - 365 AND event_date <= {d}
             GROUP BY household_id),
flagged AS (SELECT DISTINCT household_id FROM conflict_flags WHERE outcome = 'confirmed'),
busy AS (SELECT DISTINCT household_id FROM proposals
         WHERE state = 'open' AND household_id IS NOT NULL),
base AS (
  SELECT h.household_id, h.village_code, coalesce(s.status, 'not_registered') AS status,
    s.since, coalesce(p.ever_exited, FALSE) AS ever_exited,
    coalesce(p.ever_monitored, FALSE) AS ever_monitored, coalesce(a.alive, 0) AS alive,
    i.ratio, i.stable_ratio, i.years_seen, i.net_before, g.guarantees_failed,
    coalesce(k.amount, 0) AS hardship_amount, f.household_id IS NOT NULL AS flagged,
    coalesce(m.moved_on > coalesce(p.entered, DATE '0001-01-01'), FALSE) AS moved,
    k.amount >= {t.hardship_share} * greatest(i.net_before, 1) AS hardship,
    s.since IS NOT NULL AND s.since > {d} - {t.cooldown_days} AS cooling
  FROM households h
  LEFT JOIN status s ON s.household_id = h.household_id
  LEFT JOIN past p ON p.household_id = h.household_id
  LEFT JOIN alive a ON a.household_id = h.household_id
  LEFT JOIN income i ON i.household_id = h.household_id
  LEFT JOIN identification g ON g.household_id = h.household_id AND g.year = {year}
  LEFT JOIN hardship k ON k.household_id = h.household_id
  LEFT JOIN flagged f ON f.household_id = h.household_id
  LEFT JOIN moved m ON m.household_id = h.household_id
  WHERE h.household_id NOT IN (SELECT household_id FROM busy)
    AND h.household_id NOT IN (SELECT household_id FROM later) {touched}),
decided AS (SELECT *, {_kind_sql(t)} AS kind FROM base)
SELECT household_id, village_code, status, kind,  -- reasons and evidence of proposals only
  CASE WHEN kind = 'monitor' THEN CASE WHEN hardship THEN 'sudden_hardship'
    WHEN status = 'exited' THEN 'unstable_exited' ELSE 'marginal' END END AS monitor_kind,
  CASE WHEN kind IS NOT NULL THEN CAST(to_json(list_filter([{_reasons_sql(t)}],
    r -> r IS NOT NULL)) AS VARCHAR) END AS reasons,
  CASE WHEN kind IS NOT NULL THEN CAST(to_json({{{_evidence_sql()}}}) AS VARCHAR)
    END AS evidence
FROM decided"""


def _evidence_sql() -> str:
    return ", ".join(f"'{key}': {sql}" for key, sql in EVIDENCE.items())


def _kind_sql(t: Thresholds) -> str:
    """The first rule that applies, in order of precedence. Cooling (a status changed
    within the cool-down) holds back exits, ends of monitoring, and monitoring again
    for income alone right after monitoring ended."""
    # an identification of the year is needed to say the guarantees are met
    stable = f"years_seen = {t.stable_years} AND guarantees_failed = 0"
    return f"""CASE
  WHEN status IN ('registered_poor', 'monitored') AND (alive = 0 OR moved) THEN 'remove'
  WHEN status = 'registered_poor' AND flagged THEN 'remove'
  WHEN alive = 0 OR moved THEN NULL
  WHEN status = 'registered_poor' AND NOT cooling AND {stable}
    AND stable_ratio >= {t.exit_factor} THEN 'exit'
  WHEN status IN ('exited', 'monitored') AND ratio < 1 AND ever_exited THEN 'relapse'
  WHEN status IN ('not_registered', 'monitored') AND ratio < 1 THEN 'enrol'
  WHEN status = 'monitored' AND NOT cooling AND NOT coalesce(hardship, FALSE) AND {stable}
    AND stable_ratio >= {t.end_monitoring_factor} THEN 'end_monitoring'
  WHEN status IN ('exited', 'not_registered') AND hardship THEN 'monitor'
  WHEN status IN ('exited', 'not_registered') AND NOT (cooling AND ever_monitored)
    AND (ratio < {t.monitor_factor} OR (status = 'exited' AND guarantees_failed > 0))
    THEN 'monitor'
END"""


def _reasons_sql(t: Thresholds) -> str:
    """Reason codes (:data:`REASONS`) that support the proposal's kind."""
    return ", ".join(f"CASE WHEN {cond} THEN '{code}' END" for code, cond in (
        ("no_member_alive", "kind = 'remove' AND alive = 0 AND NOT moved"),
        ("moved_away", "kind = 'remove' AND moved"),
        ("confirmed_conflict", "kind = 'remove' AND alive > 0 AND NOT moved"),
        ("income_stably_above_line", "kind = 'exit'"),
        ("guarantees_met", "kind IN ('exit', 'end_monitoring')"),
        ("income_below_line", "kind IN ('enrol', 'relapse')"),
        ("income_near_line", f"kind = 'monitor' AND ratio >= 1 AND ratio < {t.monitor_factor}"),
        ("guarantee_failed", "kind IN ('monitor', 'enrol', 'relapse') "
                             "AND guarantees_failed > 0"),
        ("sudden_hardship", "kind = 'monitor' AND hardship"),
        ("risk_eliminated", "kind = 'end_monitoring'")))


def _touched_sql(since: dt.datetime) -> str:
    """Households with data recorded since ``since``: events (department signals),
    surveys, people (births, field updates), deaths and merges, verified flags."""
    at = f"TIMESTAMP {literal(since.isoformat(sep=' '))}"
    return " UNION ".join((
        f"SELECT household_id FROM events WHERE recorded_at > {at}",
        f"SELECT household_id FROM household_years WHERE recorded_at > {at}",
        f"SELECT household_id FROM people WHERE recorded_at > {at}",
        f"SELECT household_id FROM registry_changes WHERE changed_at > {at}",
        f"SELECT household_id FROM conflict_flags WHERE verified_at > {at}"))


OVERLAP = dt.timedelta(days=1)  # longer than any transaction that writes registry data


def last_run(store: Store) -> dt.datetime | None:
    """Where an events run starts by default: a day before the last run started. Data
    is stamped when its transaction began, so a long import begun before that run but
    committed after it is still caught; looking at a household twice does no harm (one
    with a proposal is left to it)."""
    started: dt.datetime | None = store.value("SELECT max(started_at) FROM reevaluations")
    return started - OVERLAP if started else None

"""Balances, flows and disbursement rates at every level, as of any day.

For each region of a level (within a jurisdiction): what it received from outside
(appropriations and allocations into it, net per entry, so money moving inside it does
not count), what it sent back out, what its offices hold, what waits at the bank
(clearing, and recovery of money paid to the wrong holder), and what reached households
and projects; the disbursement rate is the last over the first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..standard.codes import LEVELS
from ..standard.regions import PREFIX_LENGTH, sql_ancestor
from ..store import Store
from .ledger import QUERIES

HOMED = QUERIES["homed_postings"]
COLUMNS = ("region_code", "name", "programme", "received_fen", "sent_out_fen", "held_fen",
           "at_bank_fen", "spent_fen", "rate")


def balances(store: Store, level: str, within: str = "", as_of: dt.date | None = None,
             programme: str | None = None, by_programme: bool = True
             ) -> list[dict[str, Any]]:
    """One row per region of ``level`` whose code starts with ``within`` (and per
    programme, unless ``by_programme`` is False), as of the end of ``as_of`` (today)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    above = PREFIX_LENGTH[LEVELS[LEVELS.index(level) - 1]] if LEVELS.index(level) else 0
    region = sql_ancestor("home", level)
    group = "programme" if by_programme else "'all'"
    sql = f"""
WITH homed AS ({HOMED}),
placed AS (
  SELECT *, {region} AS region_code FROM homed
  WHERE home IS NOT NULL AND length(rtrim(home, '0')) > {above}
    AND starts_with(home, ?) AND (? IS NULL OR programme = ?)
),
per_entry AS (
  SELECT region_code, {group} AS programme, entry_id, sum(amount_fen) AS net
  FROM placed GROUP BY ALL
),
moved AS (
  SELECT region_code, programme, sum(greatest(net, 0)) AS received_fen,
    sum(greatest(-net, 0)) AS sent_out_fen
  FROM per_entry GROUP BY ALL
),
held AS (
  SELECT region_code, {group} AS programme,
    sum(amount_fen) FILTER (WHERE account_kind = 'region') AS held_fen,
    sum(amount_fen) FILTER (WHERE account_kind IN ('clearing', 'recovery')) AS at_bank_fen,
    sum(amount_fen) FILTER (WHERE account_kind IN ('household', 'project')) AS spent_fen
  FROM placed GROUP BY ALL
)
SELECT m.region_code, r.name, m.programme, m.received_fen, m.sent_out_fen,
  coalesce(h.held_fen, 0) AS held_fen, coalesce(h.at_bank_fen, 0) AS at_bank_fen,
  coalesce(h.spent_fen, 0) AS spent_fen,
  round(coalesce(h.spent_fen, 0) / nullif(m.received_fen, 0), 4) AS rate
FROM moved m JOIN held h USING (region_code, programme)
LEFT JOIN regions r ON r.code = m.region_code
ORDER BY m.region_code, m.programme"""
    day = as_of or dt.date.today()
    return store.records(sql, [day, within, programme, programme])

"""The synthetic assistance, entered through the product: what it faked is exactly what
the product flags (visits far or too fast, photos misplaced, out of time or bare, needs
met twice and pledges undelivered), late cadres fall behind on the board, and the same
seed fakes the same visits."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
from tests.funded import Province

from povertycloud.assistance.kpis import officer_kpis
from povertycloud.assistance.needs import need_flags
from povertycloud.assistance.officer_rules import load_officer_rules
from povertycloud.store import Store
from povertycloud.synth.assistance import (
    AssistanceConfig,
    AssistanceRates,
    _cadre_visits,
    synthesize_assistance,
)

VISITS = ("SELECT t.kind, v.flag, count(*) FROM truth_assistance t FULL JOIN (SELECT * FROM "
          "visits WHERE flag IS NOT NULL) v ON v.username = t.username AND v.household_id = "
          "t.household_id AND v.visited_at = t.visited_at WHERE t.kind IS NULL OR t.kind LIKE "
          "'%_visit' GROUP BY ALL ORDER BY 1")
PHOTOS = ("SELECT t.kind, r.flag, count(*) FROM truth_assistance t FULL JOIN (SELECT * FROM "
          "project_reports WHERE flag IS NOT NULL) r ON r.report_id = t.ref WHERE t.kind IS "
          "NULL OR t.kind LIKE '%_photo' GROUP BY ALL ORDER BY 1")


def test_what_was_faked_is_what_is_flagged(funds_province: Province, tmp_path: Path) -> None:
    db = tmp_path / "assistance.duckdb"
    shutil.copy(funds_province.db, db)
    with Store(db) as store:
        counts = synthesize_assistance(store, AssistanceConfig(seed=2))
        assert counts["plans"] > 0 and counts["visits"] > counts["cadres"] > 0
        visits = {(k, f): n for k, f, n in store.rows(VISITS)}
        assert set(visits) == {("far_visit", "far_away"), ("fast_visit", "too_fast")}
        photos = {(k, f) for k, f, _ in store.rows(PHOTOS)}
        assert photos <= {("far_photo", "far_from_site"), ("late_photo", "out_of_time"),
                          ("bare_photo", "no_exif")} and photos
        flags = need_flags(store, "", dt.date(2026, 12, 31))
        for kind, flag, key in (("twice_met", "met_twice", "need_id"),
                                ("undelivered", "not_delivered", "pledge_id")):
            truth = {int(r) for r in store.column(
                "SELECT ref FROM truth_assistance WHERE kind = ?", [kind])}
            assert truth == {int(f[key]) for f in flags if f["flag"] == flag}
        late = {str(u) for u in store.column(
            "SELECT username FROM truth_assistance WHERE kind = 'late_cadre'")}
        behind: set[str] = set()
        for month in range(4, 13):
            behind |= {r["username"] for r in officer_kpis(
                store, load_officer_rules(), "", dt.date(2026, month, 28))
                if any(b.startswith("households visited") for b in r["behind"])}
        # every late cadre falls behind; so does a cadre whose faked visit did not count
        faked = {str(u) for u in store.column(
            "SELECT DISTINCT username FROM visits WHERE flag IS NOT NULL")}
        assert late and late <= behind and behind - late <= faked


def test_the_same_seed_fakes_the_same_visits() -> None:
    def visits(seed: int) -> list[dict[str, object]]:
        return _cadre_visits(np.random.default_rng(seed), [1, 2, 3], (26.9, 106.9),
                             dt.datetime(2026, 3, 2, 9), dt.datetime(2026, 12, 31),
                             False, AssistanceRates(far_visits=0.2, fast_visits=0.2))

    assert visits(7) == visits(7) != visits(8)
    assert {v["fake"] for v in visits(7)} == {None, "far_visit", "fast_visit"}

"""Anomaly flags on both backends: an officer of the jurisdiction records the outcome
once (audited), an officer elsewhere does not see the flag, and each rule's precision
follows from the outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.funded import Province

from povertycloud.access.accounts import user_named
from povertycloud.errors import NotFound, PovertyCloudError
from povertycloud.funds.flags import flags_in, precision, verify_flag
from povertycloud.store import Store


def _raise(store: Store, region: str, rule: str, n: int) -> None:
    start = store.draw("fund_flag_ids", n)
    for i in range(1, n + 1):
        store.execute("INSERT INTO fund_flags (flag_id, rule, rules_version, region_code, "
                      "evidence, raised_at) VALUES (?, ?, 'test', ?, ?, now())",
                      [start + i, rule, region, json.dumps({"why": rule})])


def test_a_flag_is_verified_once_in_its_jurisdiction(funds_db: Path | str,
                                                     funds_province: Province) -> None:
    p = funds_province
    with Store(funds_db) as store:
        _raise(store, p.village, "paid_after_death", 3)
        _raise(store, p.other_county[:6] + "100200", "shared_account", 1)
        county = user_named(store, "county_officer")
        mine = flags_in(store, county.prefix)
        assert len(mine) == 3 and mine[0]["evidence"] == {"why": "paid_after_death"}
        first, second = mine[0]["flag_id"], mine[1]["flag_id"]
        verify_flag(store, first, "confirmed", county, "seen in the field")
        verify_flag(store, second, "false_alarm", county)
        with pytest.raises(PovertyCloudError, match="verified already: confirmed"):
            verify_flag(store, first, "false_alarm", county)
        [other] = flags_in(store, p.other_county[:6])
        with pytest.raises(NotFound, match="no flag"):
            verify_flag(store, other["flag_id"], "confirmed", county)
        with pytest.raises(PovertyCloudError, match="outcome must be one of"):
            verify_flag(store, mine[2]["flag_id"], "maybe", county)
        [rule] = precision(store, county.prefix)
        assert (rule["flags"], rule["verified"], rule["confirmed"]) == (3, 2, 1)
        assert float(rule["precision"]) == 0.5
        assert store.scalar("SELECT count(*) FROM audit_log WHERE object_kind = "
                            "'fund_flag'") == 2

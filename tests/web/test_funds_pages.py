"""The funds pages and their API on both backends, over the web's province with a small
year of money booked (tests/web/conftest.py, ``funds_store``): a region's funds as of a
day with its export; a household's payments and goods, the account masked and its
unmasking audited; the anomaly inbox and its verification; the reconciliation report;
the portal's funds, totals only by default. An officer of another county sees nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from .conftest import PASSWORD, Funds


def _as(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _audit(client: TestClient, action: str) -> list[tuple[Any, ...]]:
    store = client.app.state.platform.store  # type: ignore[attr-defined]
    return store.rows("SELECT username, object_id, detail FROM audit_log WHERE action = ? "
                      "ORDER BY 1, 2", [action])


def test_a_region_s_funds_as_of_a_day(funds_client: TestClient, funds_store: Funds) -> None:
    c, r = funds_client, funds_store.regions
    officer, auditor = _as(c, "county_officer"), _as(c, "auditor")
    found = c.get(f"/api/funds/regions/{r.county}", headers=auditor).json()
    own = found["own"]
    assert own["received_fen"] == (60_000 + 200_000 + 10_000) * 100
    assert own["received_fen"] == own["held_fen"] + own["at_bank_fen"] + own["spent_fen"]
    [township] = found["rows"]
    paid, short = funds_store.paid[0][2], funds_store.paid[3][2] - 100  # line 5: 100 short
    assert township["spent_fen"] == (80_000 + 700 + paid + short) * 100  # road, seedlings
    [county] = found["timeliness"]
    assert (county["payments"], county["late"]) == (9, 2)  # the spring list is late
    assert sum(link["value"] for link in found["flow"] if link["source"] == "received") == (
        own["received_fen"] / 100)
    early = c.get(f"/api/funds/regions/{r.county}?as_of=2026-03-31&programme=central_special",
                  headers=officer).json()
    assert (early["own"]["received_fen"], early["own"]["spent_fen"]) == (20_000_000, 0)
    book = load_workbook(io.BytesIO(c.get(
        f"/api/funds/regions/{r.county}/balances.xlsx", headers=auditor).content))
    rows = list(book.active.values)  # type: ignore[union-attr]
    assert rows[0][:3] == ("region_code", "name", "received_fen") and len(rows) == 2
    page = c.get(f"/funds/regions/{r.county}", headers=auditor)
    assert page.status_code == 200 and 'id="chart-flow"' in page.text
    other = _as(c, "other_county_officer")
    assert c.get(f"/api/funds/regions/{r.county}", headers=other).status_code == 403
    assert c.get(f"/funds/regions/{r.county}", headers=_as(c, "assessor")).status_code == 403
    assert c.get(f"/api/funds/regions/{r.county}?programme=nothing",
                 headers=officer).status_code == 404


def test_a_household_s_funds_masked_and_unmasked_audited(funds_client: TestClient,
                                                         funds_store: Funds) -> None:
    c = funds_client
    household, _, _, account = funds_store.paid[0]
    officer = _as(c, "county_officer")
    found = c.get(f"/api/households/{household}/funds", headers=officer).json()
    assert [(p["period"], p["outcome"], p["bank_account"]) for p in found["payments"]] == [
        ("2026-autumn", "paid", "***"), ("2026-spring", None, "***")]
    if household == funds_store.in_kind:
        assert found["in_kind"][0]["quantity"] == 200
    page = c.get(f"/households/{household}", headers=officer).text
    assert 'id="household-payments"' in page and account not in page
    unmasked = c.post(f"/households/{household}/unmask", headers=officer).text
    assert account in unmasked
    assert ("county_officer", str(household), "all sensitive fields") in _audit(
        c, "unmask_household")
    shown = c.post(f"/api/households/{household}/funds/unmask", headers=officer).json()
    assert shown["payments"][0]["bank_account"] == account
    assert len(_audit(c, "unmask_household")) == 2
    auditor = _as(c, "auditor")  # reads the funds, may not unmask
    assert c.post(f"/api/households/{household}/funds/unmask",
                  headers=auditor).status_code == 403
    other = _as(c, "other_county_officer")
    assert c.get(f"/api/households/{household}/funds", headers=other).status_code == 403


def test_the_anomaly_inbox_and_its_verification(funds_client: TestClient,
                                               funds_store: Funds) -> None:
    c, flag, account = funds_client, funds_store.flag, funds_store.paid[0][3]
    officer, auditor = _as(c, "county_officer"), _as(c, "auditor")
    other = _as(c, "other_county_officer")
    [listed] = c.get("/api/funds/flags", headers=auditor).json()
    assert listed["flag_id"] == flag and listed["evidence"]["bank_account"] == "***"
    assert [f["flag_id"] for f in c.get("/api/funds/flags", headers=other).json()] == [
        funds_store.other_flag]
    verdict = {"outcome": "confirmed", "note": "账户为村干部亲属所有"}
    assert c.post(f"/api/funds/flags/{flag}/verify", json=verdict,
                  headers=other).status_code == 404
    assert c.post(f"/api/funds/flags/{flag}/verify", json=verdict,
                  headers=auditor).status_code == 403
    assert c.post(f"/api/funds/flags/{flag}/unmask", headers=other).status_code == 404
    shown = c.post(f"/api/funds/flags/{flag}/unmask", headers=officer).json()
    assert shown["evidence"]["bank_account"] == account
    assert ("county_officer", str(flag), "evidence") in _audit(c, "unmask_flag")
    assert c.post(f"/api/funds/flags/{flag}/verify", json=verdict,
                  headers=officer).status_code == 200
    assert c.post(f"/api/funds/flags/{flag}/verify", json=verdict,
                  headers=officer).status_code == 409
    [rule] = c.get("/api/funds/flags/precision", headers=auditor).json()
    assert (rule["verified"], rule["confirmed"], rule["precision"]) == (1, 1, 1)
    assert ("county_officer", str(flag), f"confirmed: {verdict['note']}") in _audit(
        c, "verify_fund_flag")
    page = c.get("/funds/flags", headers=officer).text
    assert verdict["note"] in page and account not in page


def test_the_reconciliation_report(funds_client: TestClient, funds_store: Funds) -> None:
    c, batch = funds_client, funds_store.batch
    auditor = _as(c, "auditor")
    listed = {b["batch_id"]: b for b in c.get("/api/funds/batches", headers=auditor).json()}
    assert (listed[batch]["paid"], listed[batch]["problems"], listed[batch]["unreturned"]) == (
        1, 3, 2)
    report = c.get(f"/api/funds/batches/{batch}", headers=auditor).json()
    assert {o["outcome"]: o["lines"] for o in report["outcomes"]} == {
        "paid": 1, "failed": 1, "other_holder": 1, "amount_differs": 1, "unreturned": 2}
    assert sum(o["sent_fen"] for o in report["outcomes"]) == report["total_fen"]
    assert [(p["line"], p["outcome"], p["bank_account"]) for p in report["problems"]] == [
        (3, "failed", "***"), (4, "other_holder", "***"), (5, "amount_differs", "***")]
    book = load_workbook(io.BytesIO(c.get(f"/api/funds/batches/{batch}/problems.xlsx",
                                          headers=auditor).content))
    assert len(list(book.active.values)) == 4  # type: ignore[union-attr]
    page = c.get(f"/funds/batches/{batch}", headers=auditor).text
    assert all(a not in page for _, _, _, a in funds_store.paid)
    other = _as(c, "other_county_officer")
    assert c.get(f"/api/funds/batches/{batch}", headers=other).status_code == 404
    assert c.get("/api/funds/batches", headers=other).json() == []


@pytest.mark.parametrize("published", ["", "education_subsidy"])
def test_the_portal_publishes_totals_and_only_what_the_rules_say(
        funds_client: TestClient, funds_store: Funds, published: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POVERTYCLOUD_PUBLISH_HOUSEHOLD_AMOUNTS", published)
    c, r = funds_client, funds_store.regions
    found = c.get(f"/api/public/regions/{r.county}/funds")
    text = found.text
    assert found.status_code == 200
    assert all(a not in text and str(h) not in text for h, _, _, a in funds_store.paid)
    villages = found.json()["villages"]
    assert {"programme": "central_special", "projects_fen": 8_000_000}.items() <= next(
        v for v in villages if v["programme"] == "central_special").items()
    education = [v for v in villages if v["programme"] == "education_subsidy"]
    households = found.json()["households"]
    if not published:  # fewer than 10 households paid in each village: no total shown
        assert households == [] and all(v["households_fen"] is None for v in education)
    else:
        assert sum(v["households_fen"] for v in education) == sum(
            h["amount_fen"] for h in households) > 0
        assert all(h["head"].endswith("*") for h in households)
    page = c.get(f"/portal/regions/{r.county}/funds").text
    assert f'href="/portal/complaint?region={r.county}"' in page

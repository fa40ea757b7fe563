"""`povertycloud products` and `needs` as a village office runs them: a product listed,
ordered, delivered, its incomes exported for the survey and the catalogue for a platform;
an order beyond what is left and a need naming an illness refused in one line."""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

from tests.conftest import CLI, Refusal
from tests.funded import Province

from povertycloud.store import Store


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "COLUMNS": "220"})


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_a_product_sold_and_a_need_met_from_the_command_line(
        funds_province: Province, tmp_path: Path, refuse: Refusal) -> None:
    p = funds_province
    db = tmp_path / "sales.duckdb"
    db.write_bytes(p.db.read_bytes())
    with Store(db, read_only=True) as store:
        household = int(store.value(
            "SELECT min(household_id) FROM households WHERE village_code = ? AND "
            "registration_status IN ('registered_poor', 'monitored')", [p.village]))
    added = _cli("products", "add", "--db", db, "--as", "village_officer", "--village",
                 p.village, "--seller", "王家", "--name", "土鸡蛋", "--category", "eggs",
                 "--unit", "box", "--price-yuan", "45", "--available", "20", "--household",
                 str(household), "--season", "1-12")
    assert added.returncode == 0, added.stderr
    refuse("an order for more than is left",
           ["products", "order", "1", "--db", str(db), "--buyer", "某食堂", "--buyer-kind",
            "canteen", "--quantity", "21"], ("only 20 box of 土鸡蛋 available; 21 ordered",),
           db)
    assert _cli("products", "order", "1", "--db", db, "--buyer", "某食堂", "--buyer-kind",
                "canteen", "--quantity", "10").returncode == 0
    assert _cli("products", "deliver", "1", "--db", db, "--as", "village_officer", "--on",
                "2026-04-02").returncode == 0
    incomes = _cli("products", "incomes", "--db", db, "--year", "2026", "--export",
                   tmp_path / "incomes.csv")
    assert "450.00" in incomes.stdout
    [row] = _rows(tmp_path / "incomes.csv")
    assert (int(row["household_id"]), int(row["income_fen"])) == (household, 45_000)
    exported = _cli("products", "export", "--db", db, "--platform", "taobao", "--out",
                    tmp_path / "taobao.csv")
    assert exported.returncode == 0, exported.stderr
    [item] = _rows(tmp_path / "taobao.csv")
    assert item["宝贝名称"] == "土鸡蛋" and item["宝贝数量"] == "10"
    refuse("a need that names an illness",
           ["needs", "publish", p.village, "--db", str(db), "--as", "village_officer",
            "--kind", "equipment", "--title", "轮椅", "--description", "偏瘫老人需要轮椅",
            "--value-yuan", "800"], ("the description holds health details",), db)
    assert _cli("needs", "publish", p.village, "--db", db, "--as", "village_officer",
                "--kind", "equipment", "--title", "轮椅一台", "--description",
                "一位行动不便的老人需要轮椅", "--value-yuan", "800").returncode == 0
    assert _cli("needs", "helper", "--db", db, "--kind", "company", "--name", "某医疗器械公司",
                "--contact", "公益部").returncode == 0
    assert _cli("needs", "pledge", "1", "--db", db, "--helper", "1", "--value-yuan", "800",
                "--what", "轮椅").returncode == 0
    confirmed = _cli("needs", "confirm", "1", "--db", db, "--as", "village_officer",
                     "--evidence", "签收单照片", "--on", "2026-05-01")
    assert confirmed.returncode == 0, confirmed.stderr
    assert "met" in _cli("needs", "board", "--db", db).stdout

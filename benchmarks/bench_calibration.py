"""Measure the synthetic province against its calibration targets.

    .venv/bin/python benchmarks/bench_calibration.py [--people 1000000] [--seeds 20141 1 2]

Writes the table of measured figures into docs/calibration.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
from pathlib import Path

import duckdb

from _common import CLI, ROOT, run_measured, write_section

FIGURES = {
    "household size, registered in 2014": (
        "3.04", "SELECT avg(y.members) FROM h JOIN y USING (household_id) "
        "WHERE h.registration_year = 2014 AND y.year = 2014"),
    "true poverty incidence 2014, people %": (
        "18.0 (Guizhou)", "SELECT 100 * sum(t.true_poor::INT * y.members) / sum(y.members) "
        "FROM t JOIN y USING (household_id, year) WHERE year = 2014"),
    "true poverty incidence 2019, people %": (
        "0.85 (Guizhou, official)", "SELECT 100 * sum(t.true_poor::INT * y.members) / "
        "sum(y.members) FROM t JOIN y USING (household_id, year) WHERE year = 2019"),
    "illness as primary cause, % of poor households 2014": (
        "42.4", "SELECT 100 * avg((primary_cause = 'illness')::INT) FROM t "
        "WHERE year = 2014 AND true_poor"),
    "lack of skills among causes, % of poor households 2014": (
        "60.75 (Yunnan deep-poverty counties, multi-cause)",
        "SELECT 100 * avg(contains(causes, 'lack_of_skills')::INT) FROM t "
        "WHERE year = 2014 AND true_poor"),
    "incidence 2014, mountain and minority villages, %": (
        "above the rest", "SELECT 100 * sum(t.true_poor::INT * y.members) / sum(y.members) "
        "FROM t JOIN y USING (household_id, year) JOIN h USING (household_id) JOIN r "
        "ON r.code = h.village_code WHERE year = 2014 AND r.terrain = 'mountain' "
        "AND r.ethnic_minority_area"),
    "incidence 2014, other villages, %": (
        "", "SELECT 100 * sum(t.true_poor::INT * y.members) / sum(y.members) "
        "FROM t JOIN y USING (household_id, year) JOIN h USING (household_id) JOIN r "
        "ON r.code = h.village_code WHERE year = 2014 AND NOT (r.terrain = 'mountain' "
        "AND r.ethnic_minority_area)"),
    "disabled, % of people in registered households": (
        "7.8", "SELECT 100 * avg((disability_grade > 0)::INT) FROM p JOIN h "
        "USING (household_id) WHERE h.registration_year IS NOT NULL"),
    "primary schooling or less, % of adults in registered households": (
        "71 (Yunnan deep-poverty counties)",
        "SELECT 100 * avg((education IN ('none', 'primary'))::INT) FROM p JOIN h "
        "USING (household_id) WHERE h.registration_year IS NOT NULL "
        "AND birth_date <= DATE '2002-12-31'"),
    "migrant workers, % of people in registered households": (
        "about 30 (2019)", "SELECT 100 * avg((migrant_months > 0)::INT) FROM p JOIN h "
        "USING (household_id) WHERE h.registration_year IS NOT NULL"),
}


def measure(root: Path) -> dict[str, float]:
    con = duckdb.connect()
    for alias, name in (("h", "households"), ("p", "people"), ("y", "household_years"),
                        ("r", "regions"), ("t", "truth/truth_household_years")):
        con.execute(f"CREATE VIEW {alias} AS SELECT * FROM '{root}/{name}.parquet'")
    out = {}
    for label, (_, sql) in FIGURES.items():
        row = con.sql(sql).fetchone()
        out[label] = float(row[0]) if row and row[0] is not None else float("nan")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[20141, 1, 2])
    args = parser.parse_args()
    results = []
    for seed in args.seeds:
        tmp = Path(tempfile.mkdtemp(prefix="bench-calib-", dir=Path.cwd()))
        try:
            run_measured([CLI, "synth", "--people", str(args.people), "--seed", str(seed),
                          "--out", str(tmp / "p")])
            results.append(measure(tmp / "p"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    rows = [f"| {label} | {target} | " + " | ".join(f"{r[label]:.2f}" for r in results) + " |"
            for label, (target, _) in FIGURES.items()]
    seeds = " | ".join(f"seed {s}" for s in args.seeds)
    print("\n".join(rows))
    write_section("measured", f"""
Command: `.venv/bin/python benchmarks/bench_calibration.py --people {args.people} --seeds
{' '.join(map(str, args.seeds))}` ({dt.date.today()}).

| figure | target | {seeds} |
|---|---|{'---|' * len(args.seeds)}
{chr(10).join(rows)}
""", doc=ROOT / "docs" / "calibration.md")


if __name__ == "__main__":
    main()

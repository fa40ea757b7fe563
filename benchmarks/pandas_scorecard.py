"""The scorecard, the guarantees and the causes of one survey year in plain pandas: the
baseline `bench_identify.py` measures povertycloud's identification against.

    .venv/bin/python benchmarks/pandas_scorecard.py --db STORE [--year 2020] [--check]

Reads the store's tables into DataFrames (through Arrow, as `pd.read_parquet` would;
only the year's survey rows, as a Parquet filter would), builds the household profile
with groupby and merge, and evaluates the shipped rule files' conditions as vectorised
pandas and NumPy operations. `DataFrame.eval` cannot parse `min`, `max` or `x if c else
y`, so a small walker over the rule text (`RuleEval`) maps every node to one vectorised
operation. With ``--check`` it compares score, band, guarantees, proposal and causes of
every household with the stored identification and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import ast
import json
import operator
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import yaml

from povertycloud.lines import national
from povertycloud.profile.household import (
    EVENT_COUNTS,
    MEMBER_COUNTS,
    SURVEY_FIELDS,
    VILLAGE_FIELDS,
)
from povertycloud.rulefiles import shipped

MEMBER_COLUMNS = ("household_id", "birth_date", "death_date", "relation", "education",
                  "in_school", "chronic_illness", "serious_illness", "disability_grade",
                  "labour_capacity", "migrant_months", "medical_insurance",
                  "critical_illness_insurance", "pension_insurance", "min_living_guarantee")
COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
           ast.GtE: operator.ge, ast.Eq: operator.eq, ast.NotEq: operator.ne}
CALLS = {"min": np.fmin, "max": np.fmax, "abs": np.abs}  # fmin/fmax skip NULLs, as LEAST


class RuleEval:
    """Evaluate a rule-language expression over a DataFrame, vectorised.

    A comparison with a missing value is false (SQL takes no level for NULL either)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __call__(self, text: str) -> Any:
        return self.visit(ast.parse(text.strip(), mode="eval").body)

    def condition(self, text: str) -> np.ndarray:
        """A boolean array, one value per row."""
        value = self(text)
        if np.isscalar(value):
            return np.full(len(self.frame), bool(value))
        return np.asarray(value, dtype=bool)

    def number(self, text: str) -> np.ndarray:
        """A float array, one value per row, missing values as 0 (SQL ``COALESCE(x, 0)``)."""
        value = np.broadcast_to(np.asarray(self(text), dtype=float), (len(self.frame),))
        return np.nan_to_num(value, nan=0.0)

    def visit(self, node: ast.AST) -> Any:
        return getattr(self, f"_{type(node).__name__}")(node)

    def _Name(self, node: ast.Name) -> Any:
        if node.id in ("true", "false"):
            return node.id == "true"
        return self.frame[node.id]

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        values = [self.visit(v) for v in node.values]
        out = values[0]
        for v in values[1:]:
            out = (out & v) if isinstance(node.op, ast.And) else (out | v)
        return out

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return (not value) if isinstance(value, bool) else ~value
        return -value

    def _BinOp(self, node: ast.BinOp) -> Any:
        a, b = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        # real division, missing on a zero divisor (SQL NULLIF)
        return a / (b.where(b != 0) if isinstance(b, pd.Series) else (b or np.nan))

    def _Compare(self, node: ast.Compare) -> Any:
        out, left = True, self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                options = [e.value for e in right_node.elts]  # type: ignore[attr-defined]
                part = left.isin(options)
                part = part if isinstance(op, ast.In) else ~part & left.notna()
                right = None
            else:
                right = self.visit(right_node)
                part = COMPARE[type(op)](left, right)
            out = part if out is True else out & part
            left = right
        return out

    def _IfExp(self, node: ast.IfExp) -> Any:
        return np.where(self.visit(node.test), self.visit(node.body), self.visit(node.orelse))

    def _Call(self, node: ast.Call) -> Any:
        name = node.func.id  # type: ignore[attr-defined]
        args = [self.visit(a) for a in node.args]
        if name == "coalesce":
            out = args[0]
            for a in args[1:]:
                out = out.fillna(a) if isinstance(out, pd.Series) else out
            return out
        fn = CALLS[name]
        out = args[0]
        for a in args[1:]:
            out = fn(out, a)
        return fn(out) if name == "abs" else out


def read(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.sql(sql).to_arrow_table().to_pandas(date_as_object=False)


def load(db: Path, year: int) -> dict[str, pd.DataFrame]:
    """The tables the identification reads, as DataFrames."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        survey = ", ".join(f.name for f in SURVEY_FIELDS)
        village = ", ".join(f.name for f in VILLAGE_FIELDS)
        return {
            "household_years": read(con, f"SELECT household_id, year, {survey} "
                                         f"FROM household_years WHERE year = {year}"),
            "households": read(con, "SELECT household_id, village_code, registration_status "
                                    "FROM households"),
            "people": read(con, f"SELECT {', '.join(MEMBER_COLUMNS)} FROM people"),
            "regions": read(con, f"SELECT code, {village} FROM regions"),
            "events": read(con, "SELECT household_id, event_date, kind FROM events"),
        }
    finally:
        con.close()


def member_table(people: pd.DataFrame, households: pd.Series, year: int) -> pd.DataFrame:
    """The living members of the year's households, with their age."""
    born = people["birth_date"].dt.year
    died = people["death_date"].dt.year
    alive = (born <= year) & (died.isna() | (died >= year)) \
        & people["household_id"].isin(households)
    members = people[alive].copy()
    members["age"] = year - born[alive]
    return members


def member_aggregates(members: pd.DataFrame, checks: list[dict[str, Any]]) -> pd.DataFrame:
    """Per household: the member counts, members failing each member check, and the
    head's age and education."""
    rule = RuleEval(members)
    flags = {name: rule.condition(cond) for name, cond in MEMBER_COUNTS.items()}
    flags.update({f"f_{c['check']}": rule.condition(c["member_fails"])
                  for c in checks if "member_fails" in c})
    counts = pd.DataFrame(flags, index=members.index).astype("int64")
    counts["household_id"] = members["household_id"]
    out = counts.groupby("household_id").sum()
    heads = members[members["relation"] == "head"]
    head = heads.groupby("household_id").agg(head_age=("age", "max"))
    # the greatest text, as SQL's MAX: sorted, then the last (pandas 2 has no compiled
    # group-wise max of object strings and would fall back to Python)
    head["head_education"] = heads.sort_values("education").groupby("household_id")[
        "education"].last()
    return out.join(head)


def event_counts(events: pd.DataFrame, year: int) -> pd.DataFrame:
    of_year = events[events["event_date"].dt.year == year]
    kinds = of_year[of_year["kind"].isin(list(EVENT_COUNTS.values()))]
    table = kinds.groupby(["household_id", "kind"]).size().unstack(fill_value=0)
    return table.reindex(columns=list(EVENT_COUNTS.values()), fill_value=0).rename(
        columns={kind: name for name, kind in EVENT_COUNTS.items()})


def build_profile(tables: dict[str, pd.DataFrame], year: int,
                  checks: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per household surveyed in ``year``: every field a rule may use."""
    hy = tables["household_years"]
    members = member_table(tables["people"], hy["household_id"], year)
    aggregates = member_aggregates(members, checks)
    profile = (hy.merge(tables["households"], on="household_id")
               .merge(tables["regions"], left_on="village_code", right_on="code")
               .drop(columns="code")
               .merge(aggregates, left_on="household_id", right_index=True, how="left")
               .merge(event_counts(tables["events"], year), left_on="household_id",
                      right_index=True, how="left"))
    counted = [c for c in aggregates.columns if c not in ("head_age", "head_education")]
    profile[counted + list(EVENT_COUNTS)] = \
        profile[counted + list(EVENT_COUNTS)].fillna(0).astype("int64")
    net = profile[["wage_income", "business_income", "property_income",
                   "transfer_income"]].sum(axis=1)
    profile["net_income"] = net
    profile["income_per_capita"] = (net / profile["members"]).round(2)
    profile["poverty_line"] = national().by_year[year]
    profile["land_per_capita"] = profile["land_mu"] / profile["members"]
    profile["housing_area_per_capita"] = profile["housing_area_m2"] / profile["members"]
    return profile.reset_index(drop=True)


def rule_file(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(shipped(name).read_text(encoding="utf-8"))
    return data


def scorecard(profile: pd.DataFrame, card: dict[str, Any]) -> pd.DataFrame:
    """Points per indicator (first level that holds), per set, the total and the band."""
    rule = RuleEval(profile)
    out = pd.DataFrame({"household_id": profile["household_id"]})
    total = np.zeros(len(profile), dtype="int64")
    for s in card["sets"]:
        set_points = np.zeros(len(profile), dtype="int64")
        for ind in s["indicators"]:
            points = np.select([rule.condition(lv["when"]) for lv in ind["levels"]],
                               [lv["points"] for lv in ind["levels"]], default=0)
            out[f"i_{ind['indicator']}"] = points
            set_points += points
        out[f"s_{s['set']}"] = set_points
        total += set_points
    bands = card["bands"]
    out["score"] = total
    out["band"] = np.select(
        [(total >= b["from"]) & ((total < b["to"]) | (i == len(bands) - 1))
         for i, b in enumerate(bands)], [b["band"] for b in bands], default="")
    return out


def guarantees(profile: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    """Pass or fail per check and the number failed."""
    rule = RuleEval(profile)
    out = pd.DataFrame({"household_id": profile["household_id"]})
    for c in spec["checks"]:
        if "member_fails" in c:
            out[f"g_{c['check']}"] = profile[f"f_{c['check']}"].to_numpy() == 0
        else:
            out[f"g_{c['check']}"] = rule.condition(c["household"])
    out["guarantees_failed"] = (~out.drop(columns="household_id")).sum(axis=1)
    return out


def causes(profile: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    """The primary cause (strongest, first in file order on a tie) and all causes that
    reach the minimum strength, ';'-joined alphabetically; 'other' when none does."""
    rule = RuleEval(profile)
    names = [r["cause"] for r in spec["rules"]]
    strengths = np.column_stack([rule.number(r["strength"]) for r in spec["rules"]])
    strongest = strengths.max(axis=1)
    weak = strongest < spec["min_strength"]
    primary = np.asarray(names, dtype=object)[strengths.argmax(axis=1)]
    order = sorted(range(len(names)), key=lambda i: names[i])
    bits = (strengths[:, order] >= spec["min_strength"]) @ (1 << np.arange(len(order)))
    labels = {code: ";".join(names[order[i]] for i in range(len(order)) if code >> i & 1)
              for code in np.unique(bits)}
    return pd.DataFrame({"household_id": profile["household_id"],
                         "primary_cause": np.where(weak, "other", primary),
                         "causes": np.where(weak, "other", pd.Series(bits).map(labels))})


def proposal(profile: pd.DataFrame, scores: pd.DataFrame, checks: pd.DataFrame,
             last_band: str) -> np.ndarray:
    """Poor, at risk or not poor, as `identify` proposes (to compare causes where kept)."""
    line, members = profile["poverty_line"], profile["members"]
    failed = checks["guarantees_failed"] > 0
    poor = (profile["net_income"] < line * members) | \
        (failed & (profile["registration_status"] == "registered_poor"))
    risk = failed | (profile["income_per_capita"] < national().monitoring_factor * line) | \
        (scores["band"] != last_band)
    return np.select([poor, risk], ["poor", "at_risk"], default="not_poor")


def check(db: Path, year: int, result: pd.DataFrame) -> list[str]:
    """Differences from the stored identification, one line per kind."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = read(con, f"SELECT * FROM identification WHERE year = {year}")
    finally:
        con.close()
    both = result.merge(stored, on="household_id", how="outer", suffixes=("", "_db"),
                        indicator=True)
    problems = []
    unmatched = int((both["_merge"] != "both").sum())
    if unmatched:
        problems.append(f"{unmatched:,} households in only one of pandas and DuckDB")
    both = both[both["_merge"] == "both"]
    helped = both["proposal_db"] != "not_poor"
    columns = [c for c in result.columns if c.startswith("g_")] + \
        ["guarantees_failed", "score", "band", "proposal", "primary_cause", "causes"]
    for col in columns:
        mine, theirs = both[col], both[f"{col}_db"]
        if col in ("primary_cause", "causes"):  # stored only for poor and at-risk
            mine, theirs = mine[helped], theirs[helped]
        bad = (mine.to_numpy() != theirs.to_numpy())
        if bad.any():
            ids = both.loc[mine.index[bad], "household_id"].head(5).tolist()
            sample = [(m, t) for m, t in zip(mine[bad].head(5), theirs[bad].head(5),
                                             strict=True)]
            problems.append(f"{col}: {int(bad.sum()):,} of {len(mine):,} differ, e.g. "
                            f"households {ids}: pandas/DuckDB {sample}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--check", action="store_true",
                        help="compare with the stored identification; exit 1 on a difference")
    parser.add_argument("--timings", type=Path, help="write the stage times here (JSON)")
    args = parser.parse_args()
    stages: dict[str, Any] = {}
    started = time.perf_counter()
    tables = load(args.db, args.year)
    stages["load"] = time.perf_counter() - started
    card, checks_spec, cause_spec = (rule_file(n) for n in
                                     ("scorecard.yaml", "guarantees.yaml", "causes.yaml"))
    mark = time.perf_counter()
    profile = build_profile(tables, args.year, checks_spec["checks"])
    stages["profile"] = time.perf_counter() - mark
    mark = time.perf_counter()
    scores = scorecard(profile, card)
    checks = guarantees(profile, checks_spec)
    result = pd.concat([scores[["household_id", "score", "band"]],
                        checks.drop(columns="household_id"),
                        causes(profile, cause_spec).drop(columns="household_id")], axis=1)
    result["proposal"] = proposal(profile, scores, checks, card["bands"][-1]["band"])
    stages["rules"] = time.perf_counter() - mark
    stages["households"] = len(result)
    stages["people"] = len(tables["people"])
    if args.check:
        mark = time.perf_counter()
        problems = check(args.db, args.year, result)
        stages["check"] = time.perf_counter() - mark
        stages["mismatches"] = problems
    if args.timings:
        args.timings.write_text(json.dumps(stages, indent=2), encoding="utf-8")
    print(json.dumps(stages, indent=2))
    if args.check and problems:
        print("pandas and DuckDB differ:\n" + "\n".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

"""`povertycloud verification`: households verified in the field (their poverty, causes
and income as the visiting officer found them), the data identification learns from."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from .common import (
    DbOption,
    OverwriteOption,
    WaitOption,
    acting_user,
    console,
    open_store,
    parse_date,
    prefix_of,
)

verification_app = typer.Typer(help="Field verification (入户核实): households' poverty, "
                                    "causes and income as verified on a visit. See "
                                    "docs/identification.md.", no_args_is_help=True)


@verification_app.command("import")
def import_command(
    db: DbOption,
    file: Annotated[Path, typer.Argument(help="The verifications (.csv, .xlsx, or the "
                                              "household survey's export): household_id, "
                                              "verified_on, verified_poor, "
                                              "verified_primary_cause, verified_causes, "
                                              "verified_income_per_capita [, verifier].")],
    as_: Annotated[str, typer.Option("--as", help="The officer who enters them.")],
    wait: WaitOption = 0,
) -> None:
    """Keep a file of field verifications, whole or not at all; the same file twice
    changes nothing."""
    from ..intake.verifications import import_verifications

    with open_store(db, wait=wait) as store:
        done = import_verifications(store, file, acting_user(
            store, as_, "verify", "enter field verifications"))
    console.print(f"Kept {done.verifications:,} verifications" if done.new else
                  f"{file} was imported before ({done.verifications:,}); nothing changed")


@verification_app.command("list")
def list_command(
    db: DbOption,
    as_of: Annotated[str, typer.Option("--as-of", help="The day (YYYY-MM-DD): each "
                                                       "household's latest verification "
                                                       "by then.")],
    region: Annotated[str, typer.Option(help="Only households under this code.")] = "",
) -> None:
    """The verified set of a day, what a model trained then learns from: households,
    poor, and each primary cause, with the set's fingerprint."""
    from ..identification.verified import verified_as_of

    with open_store(db, read_only=True) as store:
        found, fingerprint = verified_as_of(store, parse_date(as_of), prefix_of(region))
    causes = Counter(r["primary_cause"] for r in found.to_pylist() if r["poor"])
    console.print(f"Verified by {as_of}: {found.num_rows:,} households, "
                  f"{causes.total():,} poor (set {fingerprint[:12]})")
    table = RichTable("primary cause", "households")
    for cause, households in sorted(causes.items()):
        table.add_row(cause, f"{households:,}")
    console.print(table)


@verification_app.command("synth")
def synth_command(
    db: DbOption,
    year: Annotated[int, typer.Option(help="The survey year whose households are visited "
                                           "(the next 15 March).")],
    out: Annotated[Path, typer.Option(help="The verification file to write (CSV).")],
    share: Annotated[float, typer.Option(help="The share of households visited.")] = 0.1,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    region: Annotated[str, typer.Option(help="Only households under this code.")] = "",
) -> None:
    """Synthetic province only: write the verifications of a share of a year's households
    from the truth (their true poverty, causes and income), for `verification import`."""
    from ..errors import PovertyCloudError
    from ..synth.verifications import write_verifications

    with open_store(db, read_only=True) as store:
        if not store.has_table("truth_household_years") or \
                not store.count("truth_household_years"):
            raise PovertyCloudError(f"{db} holds no synthetic truth: `verification synth` "
                                    "is for a synthetic province")
        try:
            count = write_verifications(store, year, share, out, seed, prefix=prefix_of(region))
        except ValueError as exc:
            raise PovertyCloudError(str(exc)) from None
    console.print(f"Wrote {count:,} verifications to {out}")


@verification_app.command("next")
def next_command(
    db: DbOption,
    year: Annotated[int | None, typer.Option(
        help="The survey year identified with a cause model (default: the latest "
             "so identified).")] = None,
    capacity: Annotated[int, typer.Option(
        min=1, help="Households the field team can verify in each village.")] = 3,
    region: Annotated[str, typer.Option(help="Only villages under this code.")] = "",
    out: Annotated[Path | None, typer.Option(
        help="Also write the list (.csv, .parquet, .xlsx) for the field teams.")] = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Which households to verify next, village by village: those whose learned cause
    the model is least sure of (it learns most from them), up to each village's
    capacity, none verified since the survey."""
    from ..identification.active import latest_learned, next_to_verify
    from ..identification.runs import latest_identified
    from ..intake.exports import check_table_output, write_table

    if out is not None:
        check_table_output(out, overwrite)
    with open_store(db, read_only=True) as store:
        year = year if year is not None else (
            latest_learned(store) or latest_identified(store) or 0)
        listed = next_to_verify(store, year, capacity, prefix_of(region))
    table = RichTable("village", "rank", "household", "learned cause", "confidence",
                      title=f"Verify next ({year}, {capacity} a village)")
    for r in listed.to_pylist()[:200]:
        table.add_row(f"{r['village_name'] or ''} {r['village_code']}", str(r["rank"]),
                      str(r["household_id"]), r["primary_cause"].replace("_", " "),
                      f"{r['confidence']:.0%}")
    console.print(table)
    villages = len(set(listed.column("village_code").to_pylist()))
    console.print(f"{listed.num_rows:,} households in {villages:,} villages"
                  + (" (the first 200 shown)" if listed.num_rows > 200 else ""))
    if out is not None:
        write_table(listed, out)
        console.print(f"Wrote {out}")

"""`povertycloud funds`: programmes, the ledger, payment lists and bank returns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

from .common import (
    DbOption,
    WaitOption,
    acting_user,
    console,
    keys,
    open_store,
    parse_date,
    prefix_of,
    progress_bar,
)

if TYPE_CHECKING:
    from ..access.accounts import User
    from ..store import Store

funds_app = typer.Typer(help="Funds: programmes, the ledger (book, verify, balances), "
                             "payment lists and bank returns. See docs/funds.md.",
                        no_args_is_help=True)
ProgrammesOption = Annotated[Path | None, typer.Option(
    help="Fund programmes (YAML); the shipped ones by default.")]
AsOption = Annotated[str, typer.Option(
    "--as", help="The officer who books: their jurisdiction bounds what they may book.")]
LEVELS_HELP = "province, prefecture, county, township or village"


def _officer(store: Store, username: str) -> User:
    return acting_user(store, username, "funds", "book funds (officers and admins do)")


@funds_app.command("programmes")
def programmes_command(programmes: ProgrammesOption = None, fields: Annotated[bool, typer.Option(
        "--fields", help="List the fields an eligibility rule may use instead.")] = False
                       ) -> None:
    """List the fund programmes (checked): source, what each pays, when it is open,
    its standard and who is eligible."""
    from ..funds.eligibility import field_types
    from ..funds.money import yuan
    from ..funds.programmes import load_programmes

    if fields:
        table = RichTable("field", "kind", "values", title="Eligibility fields")
        for name, t in field_types().items():
            table.add_row(name, t.kind, ", ".join(t.values))
        console.print(table)
        return
    found = load_programmes(programmes)
    table = keys(RichTable("programme", "name", "source", "pays", "open", "standard",
                           "per", title=f"Fund programmes ({found.label}, effective "
                                        f"{found.effective})"), "programme")
    for p in found.programmes:
        s = p.standard
        standard = "" if s is None else (
            ", ".join(f"{v}: {yuan(a)}" for v, a in s.amounts) if s.by else
            yuan(s.low) if s.low == s.high else f"{yuan(s.low)}–{yuan(s.high)}")
        table.add_row(p.id, p.name, p.source, p.pays, f"{p.opens} – {p.closes}",
                      standard, p.unit or p.per or "household")
    console.print(table)


@funds_app.command("book")
def book_command(
    file: Annotated[Path, typer.Argument(help="Entries: CSV, Excel, JSON or Parquet with "
                                              "entry, kind, programme, value_date, "
                                              "account, debit_yuan, credit_yuan, memo.")],
    db: DbOption, as_: AsOption, programmes: ProgrammesOption = None, wait: WaitOption = 0,
) -> None:
    """Book a file of entries (appropriations, allocations, disbursements, returns), all
    or none: each checked to balance, in whole fen, between accounts of the officer's
    jurisdiction, in its kind's shape, with money enough where it is paid from."""
    from ..funds.bookings import entries_in
    from ..funds.ledger import book
    from ..funds.programmes import load_programmes

    found = load_programmes(programmes)
    with open_store(db, wait=wait) as store:
        entries = entries_in(store, file)
        ids = book(store, entries, _officer(store, as_), found)
    console.print(f"Booked {len(ids):,} entries from {file}"
                  + (f" (ids {ids[0]}–{ids[-1]})" if ids else ""))


@funds_app.command("reverse")
def reverse_command(
    entry: Annotated[int, typer.Argument(help="The entry to reverse.")],
    db: DbOption, as_: AsOption,
    memo: Annotated[str | None, typer.Option(help="Why (kept with the reversal).")] = None,
    programmes: ProgrammesOption = None, wait: WaitOption = 0,
) -> None:
    """Correct a booked entry: book its reversal (the same postings, signs turned). A
    booked entry is never changed or deleted."""
    from ..funds.ledger import reverse
    from ..funds.programmes import load_programmes

    found = load_programmes(programmes)
    with open_store(db, wait=wait) as store:
        reversal = reverse(store, entry, _officer(store, as_), found, memo)
    console.print(f"Entry {entry} reversed by entry {reversal}")


@funds_app.command("verify")
def verify_command(
    db: DbOption,
    heads: Annotated[Path | None, typer.Option(
        help="Write each book's head (entries, hash) to this JSON file, to keep apart.")]
    = None,
    against: Annotated[Path | None, typer.Option(
        help="Heads kept earlier (--heads): check each book only grew since.")] = None,
) -> None:
    """Walk every book's chain of hashes and name each entry edited, deleted, inserted
    or moved since it was booked, and any entry that does not balance. Exits 1 if any."""
    from ..funds.verify import verify

    kept = None
    if against is not None:
        kept = {b: (int(n), str(h)) for b, (n, h) in
                json.loads(against.read_text(encoding="utf-8")).items()}
    with open_store(db, read_only=True) as store:
        result = verify(store, kept)
    table = keys(RichTable("book", "entries", "head hash", title="Books"), "book")
    for book, (entries, head) in result.books.items():
        table.add_row(book, f"{entries:,}", head)
    console.print(table)
    if heads is not None:
        heads.write_text(json.dumps({b: list(v) for b, v in result.books.items()},
                                    indent=1), encoding="utf-8")
        console.print(f"Heads written to {heads}")
    if result.intact:
        console.print(f"[green]Intact[/]: {sum(n for n, _ in result.books.values()):,} "
                      f"entries in {len(result.books):,} books")
        return
    for finding in result.findings:
        console.print(f"[red]{finding}[/]", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@funds_app.command("balances")
def balances_command(
    db: DbOption,
    level: Annotated[str, typer.Option(help=f"One of {LEVELS_HELP}.")] = "county",
    region: Annotated[str, typer.Option(help="Only within this region (code or leading "
                                              "digits).")] = "",
    as_of: Annotated[str | None, typer.Option(help="As of the end of this day "
                                                   "(YYYY-MM-DD); today by default.")]
    = None,
    programme: Annotated[str | None, typer.Option(help="Only this programme.")] = None,
    export: Annotated[Path | None, typer.Option(help="Also write the table to .xlsx, "
                                                     ".csv or .parquet.")] = None,
) -> None:
    """What each region of a level received, sent on, holds, has at the bank and
    spent on households and projects, and its disbursement rate, by programme."""
    import pyarrow as pa

    from ..funds.balances import COLUMNS, balances
    from ..funds.money import yuan
    from ..intake.exports import check_table_output, write_table
    from ..standard.codes import LEVELS

    if level not in LEVELS:
        raise typer.BadParameter(f"--level is one of {LEVELS_HELP}")
    if export is not None:
        check_table_output(export, overwrite=False)
    day = parse_date(as_of) if as_of else None
    with open_store(db, read_only=True) as store:
        rows = balances(store, level, prefix_of(region), day, programme)
    table = keys(RichTable("region", "name", "programme", "received", "sent out", "held",
                           "at bank", "spent", "rate",
                           title=f"Funds by {level}, as of {day or 'today'} (yuan)"),
                 "region")
    for r in rows:
        table.add_row(r["region_code"], r["name"] or "", r["programme"],
                      *(yuan(int(r[c])) for c in COLUMNS[3:8]),
                      "—" if r["rate"] is None else f"{float(r['rate']):.1%}")
    console.print(table)
    if export is not None:
        write_table(pa.Table.from_pylist(rows), export)
        console.print(f"Written to {export}")


@funds_app.command("pay")
def pay_command(
    file: Annotated[Path, typer.Argument(help="The payment list: CSV, Excel, JSON or "
                                              "Parquet with household_id, payee_name, "
                                              "payee_id_number, bank_account, amount_yuan "
                                              "(in kind: quantity instead of the last two).")],
    db: DbOption, as_: AsOption,
    programme: Annotated[str, typer.Option(help="The programme it pays.")],
    county: Annotated[str, typer.Option(help="The paying county's code.")],
    period: Annotated[str, typer.Option(help="The period it pays (2026, 2026-autumn, "
                                             "2026-03...).")],
    on: Annotated[str | None, typer.Option(help="The day it is paid (YYYY-MM-DD); today "
                                                "by default.")] = None,
    programmes: ProgrammesOption = None, wait: WaitOption = 0,
) -> None:
    """Check a county's payment list against the registry and the programme's rules and
    book it, whole or not at all: every refused row named with its reason. The same
    file twice books nothing the second time."""
    import datetime as dt

    from ..funds.money import yuan
    from ..funds.payments import PaymentOrder, pay
    from ..funds.programmes import load_programmes

    order = PaymentOrder(load_programmes(programmes)[programme], county, period,
                         parse_date(on) if on else dt.date.today())
    with open_store(db, wait=wait) as store:
        batch = pay(store, file, order, _officer(store, as_))
    if not batch.new:
        console.print(f"{file} was booked before, as payment batch {batch.batch_id}: "
                      "nothing changed")
        return
    console.print(f"Payment batch {batch.batch_id}: {batch.lines:,} lines, "
                  f"{yuan(batch.total_fen)} yuan of {programme} booked")


@funds_app.command("reconcile")
def reconcile_command(
    file: Annotated[Path, typer.Argument(help="The bank's return file: record_id, "
                                              "payment_batch, line, status (paid or "
                                              "failed), paid_yuan, holder_name, "
                                              "bank_account, reason, value_date.")],
    db: DbOption, as_: AsOption,
    batch: Annotated[int, typer.Option(help="The payment batch it answers.")],
    wait: WaitOption = 0,
) -> None:
    """Take in the bank's return of a payment batch and reconcile each line: paid,
    failed (money back to the county), amount differs, paid to another holder, unknown.
    The same file twice changes nothing."""
    from ..funds.money import yuan
    from ..funds.returns import OUTCOMES, reconcile

    with open_store(db, wait=wait) as store:
        done = reconcile(store, file, batch, _officer(store, as_))
    if done.report.duplicate_of is not None:
        console.print(f"{file} was taken in before (batch {done.report.duplicate_of}): "
                      "nothing changed")
        return
    table = RichTable("outcome", "lines", "yuan moved",
                      title=f"Payment batch {batch}: the bank's return")
    for outcome in OUTCOMES:
        lines, moved = done.outcomes.get(outcome, (0, 0))
        if lines:
            table.add_row(outcome, f"{lines:,}", yuan(moved))
    console.print(table)


flags_app = typer.Typer(help="Anomaly flags on the funds: raise them (the rules of "
                             "rules/fund_anomalies.yaml), list them, verify them.",
                        no_args_is_help=True)
funds_app.add_typer(flags_app, name="flags")
EVIDENCE_SHOWN = 80  # characters of a flag's evidence in a listing


@flags_app.command("raise")
def flags_raise_command(
    db: DbOption,
    rules: Annotated[Path | None, typer.Option(
        help="Anomaly rules (YAML); the shipped ones by default.")] = None,
    as_of: Annotated[str | None, typer.Option(
        help="Idle funds as of the end of this day (YYYY-MM-DD); today by default.")]
    = None,
    programmes: ProgrammesOption = None, wait: WaitOption = 0,
) -> None:
    """Run the anomaly rules over the whole ledger and raise a flag, with its evidence,
    for each payment, household, batch or region a rule finds; a flag raised before is
    not raised again."""
    from ..funds.anomalies import load_anomaly_rules, raise_fund_flags
    from ..funds.programmes import load_programmes

    found = load_anomaly_rules(rules)
    with open_store(db, wait=wait) as store:
        raised = raise_fund_flags(store, found, load_programmes(programmes),
                                  parse_date(as_of) if as_of else None)
    table = RichTable("rule", "what it finds", "new flags",
                      title=f"Fund anomaly flags ({found.label})")
    for rule in found.rules:
        table.add_row(rule.id, rule.label, f"{raised[rule.id]:,}")
    console.print(table)


@flags_app.command("list")
def flags_list_command(
    db: DbOption,
    region: Annotated[str, typer.Option(help="Only within this region (code or leading "
                                              "digits).")] = "",
    rule: Annotated[str | None, typer.Option(help="Only this rule's flags.")] = None,
) -> None:
    """Flags per rule and each rule's precision from the verified outcomes, then the
    flags waiting for verification with their ids (for `funds flags verify --flag`)."""
    from ..funds.flags import SHOWN, flags_in, precision
    from ..funds.money import yuan

    prefix = prefix_of(region)
    with open_store(db, read_only=True) as store:
        rows = precision(store, prefix)
        waiting = [f for f in flags_in(store, prefix, SHOWN if rule is None else 10**9)
                   if f["outcome"] is None and rule in (None, f["rule"])][:SHOWN]
    table = RichTable("rule", "flags", "verified", "confirmed", "precision",
                      title="Fund anomaly flags")
    for r in rows:
        table.add_row(r["rule"], f"{r['flags']:,}", f"{r['verified']:,}",
                      f"{r['confirmed']:,}", "—" if r["precision"] is None
                      else f"{float(r['precision']):.2f}")
    console.print(table)
    listed = keys(RichTable("flag", "rule", "household or region", "batch/line", "yuan",
                            "evidence", title=f"Flags to verify ({len(waiting):,} shown)"),
                  "flag", "household or region")
    for f in waiting:
        where = "" if f["batch_id"] is None else \
            f"{f['batch_id']}" + ("" if f["line"] is None else f"/{f['line']}")
        listed.add_row(str(f["flag_id"]), f["rule"], str(f["household_id"] or
                                                         f["region_code"]), where,
                       "" if f["amount_fen"] is None else yuan(int(f["amount_fen"])),
                       _evidence(f["evidence"]))
    console.print(listed)


@flags_app.command("verify")
def flags_verify_command(
    db: DbOption, as_: AsOption,
    flag: Annotated[int, typer.Option(help="The flag's id.")],
    outcome: Annotated[str, typer.Option(help="confirmed, false_alarm or exempt.")],
    note: Annotated[str | None, typer.Option(help="What was found in the field.")] = None,
    wait: WaitOption = 0,
) -> None:
    """Record an officer's outcome of a flag in their jurisdiction, once (in the audit
    log too)."""
    from ..funds.flags import verify_flag

    with open_store(db, wait=wait) as store:
        verify_flag(store, flag, outcome, _officer(store, as_), note)
    console.print(f"Flag {flag}: {outcome}")


@funds_app.command("synth")
def synth_command(
    db: DbOption,
    folder: Annotated[Path, typer.Option("--dir", help="Where the payment lists and the "
                                                       "bank's returns are written.")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same funds.")]
    = 1,
    wait: WaitOption = 0,
) -> None:
    """Book a year (2026) of synthetic funds into an identified store without funds:
    appropriations, allocations, payment lists, bank returns and goods in kind, through
    the same checks as any officer's, with anomalies injected at known rates; what was
    injected is kept apart in the table truth_fund_anomalies."""
    from ..synth.funds import FundsConfig, synthesize_funds

    with open_store(db, wait=wait) as store, progress_bar() as bar:
        task = bar.add_task("Synthetic funds", total=None)
        counts = synthesize_funds(store, folder, FundsConfig(seed=seed), progress=lambda s:
                                  bar.update(task, description=f"Synthetic funds: {s}"))
        bar.update(task, description="Synthetic funds: done", total=1, completed=1)
    for name, count in counts.items():
        console.print(f"{name}: {count:,}")


def _evidence(evidence: dict[str, object]) -> str:
    """A flag's evidence in one short line: its plain values, lists counted."""
    text = "; ".join(f"{k} {len(v) if isinstance(v, list) else v}"
                     for k, v in evidence.items() if not isinstance(v, dict))
    return text if len(text) <= EVIDENCE_SHOWN else text[:EVIDENCE_SHOWN - 1] + "…"

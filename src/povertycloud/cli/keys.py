"""`povertycloud keys`: the key that encrypts a store at rest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, copy_progress

keys_app = typer.Typer(
    help="The key that encrypts stores at rest: POVERTYCLOUD_KEY_FILE names its file "
         "(or POVERTYCLOUD_KEY holds it). Keep it apart from the store and its backups.",
    no_args_is_help=True)


@keys_app.command("new")
def new_command(file: Annotated[Path, typer.Argument(
        help="Where to write the new key (must not exist); readable by you only.")]) -> None:
    """Make a new random key (32 bytes, as 64 hexadecimal characters)."""
    from ..store import keys

    keys.new(file)
    console.print(f"Wrote a new key to {file}. Stores created or rotated with "
                  f"{keys.FILE_VARIABLE}={file} are encrypted with it: keep a copy of it "
                  "apart from the stores and their backups (without it they cannot be read).",
                  highlight=False, soft_wrap=True)


@keys_app.command("rotate")
def rotate_command(
    db: Annotated[str, typer.Option("--db", metavar="FILE|URL", help=(
        "The store, opened with the key configured now: a DuckDB file (copied into a new "
        "file) or a PostgreSQL database (its sensitive columns sealed again in place)."))],
    to: Annotated[Path | None, typer.Option(
        "--to", help="The file of the new key; without it the store is written in clear.")]
    = None,
) -> None:
    """Encrypt a store again with another key (or a store in clear for the first time).
    A DuckDB file is copied whole into a new file, checked equal, then put in its place;
    on PostgreSQL the sensitive columns are sealed again in one transaction."""
    from ..store import keys
    from ..store.backends import backend
    from ..store.backup import rotate

    new_key = keys.read(to) if to is not None else None
    with copy_progress("Copying") as counter:
        copied = rotate(db, new_key, counter)
    rows = sum(count for count, _ in copied.values())
    now = f"encrypted with the key in {to}" if to else "in clear"
    console.print(f"{backend(db).label} is now {now}: {len(copied)} tables, {rows:,} rows, "
                  "checked equal. "
                  f"Set {keys.FILE_VARIABLE}" + (f"={to}" if to else " and POVERTYCLOUD_KEY "
                  "unset") + " to open it.", highlight=False, soft_wrap=True)

"""`povertycloud docs`: generate the data standard and CLI reference, or check them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import PovertyCloudError
from .common import console


def docs(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Option("--dir", help="The docs folder.")] = Path("docs"),
    check: Annotated[bool, typer.Option(
        "--check", help="Fail if the files differ from what the code generates.")] = False,
) -> None:
    """Write docs/data-standard.md, docs/rule-fields.md and docs/cli.md from the code
    (or --check them)."""
    from ..identification.docs import render_rule_fields
    from ..standard.docs import render_standard
    from .reference import render_cli

    stale = []
    for name, text in (("data-standard.md", render_standard()),
                       ("rule-fields.md", render_rule_fields()),
                       ("cli.md", render_cli(ctx.find_root().command))):
        path = folder / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            console.print(f"Wrote {path}")
    if stale:
        raise PovertyCloudError(f"out of date: {', '.join(stale)}; run `povertycloud docs`")
    if check:
        console.print("Docs are up to date")

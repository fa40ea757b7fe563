"""Render the CLI reference (docs/cli.md) from the commands themselves."""

from __future__ import annotations

from typing import Any


def render_cli(root: Any) -> str:
    """The reference of the command ``root`` (the Click command Typer built)."""
    lines = ["# Command-line reference", "",
             "Generated from the code by `povertycloud docs`; do not edit by hand.", ""]
    lines += _command(root, "povertycloud", level=2)
    return "\n".join(lines).rstrip() + "\n"


def _command(cmd: Any, path: str, level: int) -> list[str]:
    """Markdown for a (Click-style) command and, for a group, its sub-commands."""
    out = [f"{'#' * level} `{path}`", ""]
    if cmd.help:
        out += [" ".join(cmd.help.split()), ""]
    usage = " ".join(cmd.collect_usage_pieces(cmd.context_class(cmd)))
    out += ["```", f"{path} {usage}".rstrip(), "```", ""]
    params = [p for p in cmd.params if p.name != "help"]
    if params:
        out += ["| argument or option | description | default |", "|---|---|---|"]
        for p in params:
            argument = p.param_type_name == "argument"
            names = f"`{(p.name or '').upper()}`" if argument else \
                ", ".join(f"`{o}`" for o in (*p.opts, *getattr(p, "secondary_opts", ())))
            help_text = " ".join((getattr(p, "help", None) or "").split())
            default = "" if p.default is None or p.required or argument \
                else f"`{p.default}`"
            out.append(f"| {names} | {help_text} | {default} |")
        out.append("")
    if hasattr(cmd, "commands"):
        for name in sorted(cmd.commands):
            out += _command(cmd.commands[name], f"{path} {name}", level + 1)
    return out

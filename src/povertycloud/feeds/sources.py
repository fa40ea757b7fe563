"""The registry of data sources: each department's table, its schema version, how often
it comes, who owns it, and its fields, from a checked YAML file (rules/sources.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import NotFound
from ..rulefiles import Reader, load, shipped
from ..standard.codes import EVENT_KINDS
from ..standard.fields import Field, Kind, Table

DEFAULT = "sources.yaml"
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "yearly", "irregular")
BIRTH_FIELDS = ("child_name", "child_id_number", "child_sex")  # a birth adds the child


@dataclass(frozen=True)
class Signal:
    """A feed whose records become dated events on the household."""

    event: str  # the event kind (standard code list)
    date: str  # the record's date field
    amount: str | None  # the record's amount field, if any


@dataclass(frozen=True)
class Source:
    id: str
    department: str
    table_label: str
    schema_version: int
    frequency: str
    owner: str
    table: Table  # the store's table of its rows: feed_<id>
    signal: Signal | None = None


def load_sources(path: Path | None = None) -> dict[str, Source]:
    """The sources of the file (the shipped registry when ``path`` is None)."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    top = Reader(path, load(path), "sources")
    out: dict[str, Source] = {}
    for item in top.items("sources"):
        r = Reader(path, item, "source")
        ident = r.name("source", set(out))
        frequency = r.get("frequency", str)
        if frequency not in FREQUENCIES:
            raise r.fail(f"frequency must be one of {', '.join(FREQUENCIES)}")
        fields = tuple(_field(Reader(path, f, f"source {ident} field"))
                       for f in r.items("fields"))
        key = r.get("key", str)
        if key not in [f.name for f in fields]:
            raise r.fail(f"key {key!r} is not one of its fields")
        table = Table(f"feed_{ident}", r.get("table", str), f"Rows of {ident}", fields,
                      (key,))
        out[ident] = Source(ident, r.get("department", str), r.get("table", str),
                            int(r.get("schema_version", int)), frequency,
                            r.get("owner", str), table, _signal(r, table))
    return out


def source_named(ident: str, path: Path | None = None) -> Source:
    """The source ``ident`` of the registry (the shipped one when ``path`` is None)."""
    known = load_sources(path)
    if ident not in known:
        raise NotFound(f"unknown source {ident!r}; the sources are {', '.join(known)}")
    return known[ident]


def _signal(r: Reader, table: Table) -> Signal | None:
    given = r.get("signal", dict, None)
    if given is None:
        return None
    s = Reader(r.path, given, f"{r.what} signal")
    event = s.get("event", str)
    if event not in EVENT_KINDS:
        raise s.fail(f"unknown event kind {event!r}; the kinds are {', '.join(EVENT_KINDS)}")
    date, amount = s.get("date", str), s.get("amount", str, None)
    needs = BIRTH_FIELDS if event == "birth" else ()
    for name in (date, amount, *needs):
        if name is not None and name not in table.names:
            raise s.fail(f"{name!r} is not one of the source's fields")
    return Signal(event, date, amount)


def _field(r: Reader) -> Field:
    name = r.get("name", str)
    kind = r.get("kind", str)
    if kind not in [k.value for k in Kind]:
        raise r.fail(f"field {name}: unknown kind {kind!r}")
    return Field(name, Kind(kind), name, "", required=bool(r.get("required", bool, True)),
                 minimum=r.get("minimum", (int, float), None),
                 values=tuple(r.get("values", list, [])),
                 sensitive=name.endswith("id_number") or name in ("address", "phone"))


def ddl(table: Table) -> str:
    """CREATE TABLE for a feed's rows, with the batch that brought them."""
    columns = ", ".join(f'"{f.name}" {f.sql_type}{" NOT NULL" if f.required else ""}'
                        for f in table.fields)
    return (f"CREATE TABLE IF NOT EXISTS {table.name} ({columns}, batch_id BIGINT NOT NULL, "
            f"recorded_at TIMESTAMP NOT NULL)")

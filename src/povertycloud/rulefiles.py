"""Loading rule files: YAML that remembers line numbers, so every error names the file,
the line and the item it is about."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml

from .errors import PovertyCloudError
from .sqltext import NAME

LINE = "__line__"


class RuleFileError(PovertyCloudError):
    """A rule file that does not load: its message names the file, line and item."""


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records each mapping's line (1-based) under ``__line__``."""


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice", key_node.start_mark)
        seen.add(key)
    data: dict[Any, Any] = dict(loader.construct_mapping(node, deep=True))
    data[LINE] = node.start_mark.line + 1
    return data


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def shipped(name: str) -> Path:
    """The path of a rule file shipped with povertycloud."""
    return Path(str(resources.files("povertycloud").joinpath("rules", name)))


def load(path: Path) -> dict[str, Any]:
    """The top mapping of a rule file (a copy of it: parsed once while the file is
    unchanged, for the server's start and every command that loads the same rules)."""
    try:
        seen = Path(path).stat()
    except OSError as exc:
        raise RuleFileError(f"{path}: cannot be read: {exc.strerror}") from None
    return copy.deepcopy(_parsed(str(path), seen.st_mtime_ns, seen.st_size))


@lru_cache(maxsize=64)
def _parsed(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    """The top mapping of the rule file ``path`` as it is at ``mtime_ns`` and ``size``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise RuleFileError(f"{path}{where}: not valid YAML: "
                            f"{getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise RuleFileError(f"{path}: expected a mapping at the top")
    return data


@dataclass(frozen=True)
class RuleSet:
    """What every rule file has: an id, a version, the date it takes effect, its path."""

    id: str
    version: str
    effective: dt.date
    path: Path

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"


class Identified(Protocol):
    @property
    def id(self) -> str: ...


Item = TypeVar("Item", bound=Identified)


def by_id(items: tuple[Item, ...], ident: str, what: str, label: str) -> Item:
    """The item of ``items`` whose id is ``ident``; else NotFound naming the ids there are
    (``what`` they are, of the rule set ``label``)."""
    for item in items:
        if item.id == ident:
            return item
    from .errors import NotFound
    raise NotFound(f"unknown {what} {ident!r}; the {what}s of {label} are "
                   f"{', '.join(i.id for i in items)}")


def header_and_items(path: Path, key: str, what: str,
                     read: Callable[[Reader, set[str]], Item]) -> tuple[dict[str, Any],
                                                                     tuple[Item, ...]]:
    """The RuleSet fields of the rule file ``path`` (``what`` it is, for errors) and its
    items under ``key``, each read by ``read`` from its reader and the ids taken before
    it; any other key at the top, or no item, refused."""
    top = Reader(path, load(path), what)
    top.only("id", "version", "effective", key)
    found: list[Item] = []
    for item in top.items(key):
        found.append(read(Reader(path, item, key.removesuffix("s")),
                          {f.id for f in found}))
    if not found:
        raise top.fail(f"no {key}")
    return header(top), tuple(found)


def header(top: Reader) -> dict[str, Any]:
    """The RuleSet fields of a rule file's top mapping."""
    return {"id": top.get("id", str), "version": str(top.get("version", (str, int, float))),
            "effective": top.date("effective"), "path": top.path}


class Reader:
    """Typed access to an item of a rule file, with errors that say where."""

    def __init__(self, path: Path, item: dict[str, Any], what: str) -> None:
        self.path, self.item, self.what = path, item, what

    @property
    def line(self) -> int:
        return int(self.item.get(LINE, 0))

    def fail(self, message: str) -> RuleFileError:
        return RuleFileError(f"{self.path}, line {self.line}, {self.what}: {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.item:
            if default is ...:
                raise self.fail(f"'{key}' is missing")
            return default
        value = self.item[key]
        if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
            raise self.fail(f"'{key}' must be {_kind_name(kind)}, not {value!r}")
        return value

    def only(self, *keys: str) -> None:
        """Refuse a key that is none of ``keys`` (a misspelt one would be ignored)."""
        for key in self.item:
            if key != LINE and key not in keys:
                near = difflib.get_close_matches(str(key), keys, n=1)
                hint = f"did you mean '{near[0]}'?" if near else \
                    f"the keys are {', '.join(keys)}"
                raise self.fail(f"unknown key '{key}': {hint}")

    def name(self, key: str, taken: set[str]) -> str:
        """An id that becomes part of column names: lower-case letters, digits and
        underscores, unique among ``taken``. Names the item for later errors."""
        value = self.get(key, str)
        self.what = f"{key} {value}"
        if not re.fullmatch(NAME, value):
            raise self.fail("ids are lower-case letters, digits and underscores, "
                            "starting with a letter")
        if value in taken:
            raise self.fail("appears twice")
        return str(value)

    def one_of(self, key: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        """The text under ``key`` (``default`` when absent, if given), one of ``allowed``."""
        value = self.get(key, str) if default is None else self.get(key, str, default)
        if value not in allowed:
            raise self.fail(f"'{key}' must be one of {', '.join(allowed)}, not {value!r}")
        return str(value)

    def date(self, key: str) -> dt.date:
        value = self.get(key, (dt.date, str))
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.fail(f"'{key}' must be a date (YYYY-MM-DD), not {value!r}") from None

    def items(self, key: str) -> list[dict[str, Any]]:
        values = self.get(key, list)
        for v in values:
            if not isinstance(v, dict):
                raise self.fail(f"every entry of '{key}' must be a mapping, not {v!r}")
        return list(values)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", float: "a number", list: "a list",
             dict: "a mapping", bool: "true or false", dt.date: "a date"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)

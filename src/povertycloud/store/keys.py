"""The key that encrypts a store at rest, and where it comes from.

A key is 32 random bytes written as 64 hexadecimal characters. It comes from the file
named by ``POVERTYCLOUD_KEY_FILE`` (readable by the service's user only) or from
``POVERTYCLOUD_KEY`` itself; never from the repository or the store. Without either, a
store is written in clear (the demo). A DuckDB file is encrypted whole by DuckDB
(AES-GCM; its write-ahead log and spilled files too).
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:
    from .copy import Counter, Tally

FILE_VARIABLE = "POVERTYCLOUD_KEY_FILE"
VALUE_VARIABLE = "POVERTYCLOUD_KEY"
_KEY = re.compile(r"[0-9a-f]{64}")


class Key(str):
    """A key, with where it came from (for messages: never the key itself)."""

    source: str

    def __new__(cls, value: str, source: str) -> Key:
        key = super().__new__(cls, value)
        key.source = source
        return key

    def __repr__(self) -> str:
        return f"Key(from {self.source})"


def checked(value: str, source: str) -> Key:
    value = value.strip().lower()
    if not _KEY.fullmatch(value):
        raise ConfigError(f"{source} is not a key: a key is 64 hexadecimal characters "
                          "(32 bytes); make one with `povertycloud keys new FILE`")
    return Key(value, source)


def read(file: Path) -> Key:
    """The key in ``file``."""
    try:
        return checked(file.read_text("ascii"), str(file))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a text file"
        raise ConfigError(f"the key file {file} cannot be read ({reason})") from None


def configured() -> Key | None:
    """The key the environment gives (``POVERTYCLOUD_KEY_FILE``, else
    ``POVERTYCLOUD_KEY``), or None: stores in clear."""
    if file := os.environ.get(FILE_VARIABLE):
        return read(Path(file))
    if value := os.environ.get(VALUE_VARIABLE):
        return checked(value, VALUE_VARIABLE)
    return None


def new(file: Path) -> Key:
    """A new random key written to ``file`` (which must not exist), readable by its owner
    only."""
    value = secrets.token_hex(32)
    try:
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                             stat.S_IRUSR | stat.S_IWUSR)
    except FileExistsError:
        raise ConfigError(f"{file} already exists: a key is never overwritten") from None
    except OSError as exc:
        raise ConfigError(f"{file} cannot be written ({exc.strerror})") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(value + "\n")
    return Key(value, str(file))


def rotate(path: Path, new_key: Key | None, counter: Counter | None = None) -> Tally:
    """The embedded store ``path`` encrypted again with ``new_key`` (None: written in
    clear), opened with the key configured now: copied whole into a new file beside it,
    checked equal, then put in its place. Killed half-way, the store is as it was."""
    from .copy import copy_store
    from .store import Store

    rekeyed = path.with_name(path.name + ".rekeyed")
    for left in (rekeyed, rekeyed.with_name(rekeyed.name + ".wal")):  # of a kill
        left.unlink(missing_ok=True)
    with Store(path) as source:  # no one writes while it is copied
        if source.backend.file is None:
            raise ConfigError(f"{source.label} is a PostgreSQL store: its columns are "
                              "encrypted by the application, which does not rotate keys "
                              "yet (docs/operations.md)")
        with Store.create(rekeyed, key=new_key) as target:
            copied = copy_store(source, target, counter)
    rekeyed.replace(path)
    return copied

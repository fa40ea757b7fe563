"""The cryptography of sealed values (``sealing``): AES-256-GCM with a fresh 96-bit nonce
per value (base64), an HMAC-SHA-256 for values looked up, both keys derived from the
store's key by HKDF; and the functions that give them to DuckDB."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import StoreError
from .keys import Key

if TYPE_CHECKING:  # loaded when a store has sealed values: a command stays light
    import duckdb
    import pyarrow as pa

_CHECK = b"povertycloud: the key of this store"
_NONCE = 12


def _derived(key: Key, purpose: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"povertycloud " + purpose).derive(bytes.fromhex(key))


class Sealer:
    """Seals, opens and hashes values with one key."""

    def __init__(self, key: Key) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.key = key
        self._aead = AESGCM(_derived(key, b"seal"))
        self._mac_key = _derived(key, b"mac")

    @property
    def fingerprint(self) -> str:
        """What the store records to know its key again (it reveals nothing of it)."""
        return hmac.new(self._mac_key, _CHECK, hashlib.sha256).hexdigest()

    def seal_one(self, value: str) -> str:
        nonce = os.urandom(_NONCE)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, value.encode(),
                                                           None)).decode()

    def open_one(self, sealed: str) -> str:
        from cryptography.exceptions import InvalidTag

        raw = base64.b64decode(sealed)
        try:
            return self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], None).decode()
        except InvalidTag:
            raise StoreError("a sealed value does not open with this store's key (it was "
                             "sealed with another key, or altered)") from None

    def mac_one(self, value: str) -> str:
        return hmac.new(self._mac_key, value.encode(), hashlib.sha256).hexdigest()

    def seal(self, values: pa.Array) -> pa.Array:
        return _each(self.seal_one, values)

    def open(self, values: pa.Array) -> pa.Array:
        return _each(self.open_one, values)

    def mac(self, values: pa.Array) -> pa.Array:
        return _each(self.mac_one, values)


def _each(function: Callable[[str], str], values: pa.Array) -> pa.Array:
    import pyarrow as pa

    return pa.array([None if v is None else function(v) for v in values.to_pylist()],
                    pa.string())


def register(con: duckdb.DuckDBPyConnection, sealer: Sealer, suffix: str = "") -> None:
    """``pc_seal``, ``pc_open`` and ``pc_mac`` (with ``suffix``) in ``con``'s database,
    for every cursor of it."""
    from duckdb.func import ARROW

    for name in ("seal", "open", "mac"):
        con.create_function(f"pc_{name}{suffix}", _unannotated(getattr(sealer, name)),
                            ["VARCHAR"], "VARCHAR", type=ARROW, side_effects=name == "seal")


def _unannotated(method: Callable[[pa.Array], pa.Array]) -> Callable[[Any], Any]:
    """``method`` as DuckDB may call it: it reads a function's annotations, which name
    pyarrow, loaded lazily here."""
    return lambda values: method(values)

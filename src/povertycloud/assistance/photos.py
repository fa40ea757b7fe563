"""Photos as evidence: what their EXIF says (when the photo was taken, where: GPS), read
with Pillow, and the photo kept once by its SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from ..errors import PovertyCloudError
from ..store import Store
from .plans import QUERIES, stamp

MAX_BYTES = 20 * 1024 * 1024
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATE_TIME_ORIGINAL, DATE_TIME = 0x9003, 0x0132
LAT_REF, LAT, LON_REF, LON = 1, 2, 3, 4


class PhotoError(PovertyCloudError):
    """A file that is not a photo that can be kept."""


@dataclass(frozen=True)
class Photo:
    sha256: str
    mime: str
    size: int
    taken_at: dt.datetime | None  # EXIF's time of taking (local time, as the camera says)
    lat: float | None  # EXIF's GPS position, in degrees
    lon: float | None
    has_exif: bool


def read_photo(content: bytes, name: str) -> Photo:
    """What the photo ``content`` (from the file ``name``) says about itself."""
    if len(content) > MAX_BYTES:
        raise PhotoError(f"{name}: {len(content):,} bytes; a photo is at most "
                         f"{MAX_BYTES // 2**20} MB")
    try:
        with Image.open(io.BytesIO(content)) as image:
            mime = Image.MIME.get(image.format or "", "application/octet-stream")
            exif = image.getexif()
    except (UnidentifiedImageError, OSError) as exc:
        raise PhotoError(f"{name}: not a photo (JPEG, PNG, WebP...): {exc}") from None
    gps = exif.get_ifd(GPS_IFD)
    taken = exif.get_ifd(EXIF_IFD).get(DATE_TIME_ORIGINAL) or exif.get(DATE_TIME)
    return Photo(hashlib.sha256(content).hexdigest(), mime, len(content), _time(taken),
                 _degrees(gps.get(LAT), gps.get(LAT_REF), "S"),
                 _degrees(gps.get(LON), gps.get(LON_REF), "W"), bool(exif))


def _time(text: object) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def _degrees(dms: object, ref: object, negative: str) -> float | None:
    """EXIF's (degrees, minutes, seconds) and its reference (N/S, E/W) in degrees."""
    try:
        d, m, s = (float(v) for v in dms)  # type: ignore[attr-defined]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    return -value if str(ref).strip("\x00 ").upper() == negative else value


def keep_photo(store: Store, content: bytes, photo: Photo) -> None:
    """Keep the photo (once: the same bytes twice are one photo)."""
    if store.value(QUERIES["photo_kept"], [photo.sha256]) is None:
        store.execute(QUERIES["insert_photo"], [photo.sha256, content, photo.mime,
                                                 photo.size, stamp()])


def photo_content(store: Store, sha256: str) -> tuple[bytes, str] | None:
    """A kept photo's bytes and type."""
    found = store.one(QUERIES["photo"], [sha256])
    return (bytes(found[0]), str(found[1])) if found else None

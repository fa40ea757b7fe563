"""Synthetic photos: small JPEGs whose EXIF says when and where they were taken (or
nothing), as a phone's camera writes it, for project evidence."""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction

from PIL import Image
from PIL.TiffImagePlugin import IFDRational

EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = Fraction((value - degrees - minutes / 60) * 3600).limit_denominator(10_000)
    return (IFDRational(degrees, 1), IFDRational(minutes, 1),
            IFDRational(seconds.numerator, seconds.denominator))


def jpeg(taken_at: dt.datetime | None, lat: float | None, lon: float | None,
         colour: tuple[int, int, int] = (120, 160, 90), size: tuple[int, int] = (64, 48)
         ) -> bytes:
    """A photo taken at ``taken_at`` in (``lat``, ``lon``); None leaves it out of EXIF
    (both None and no time: a photo without EXIF)."""
    exif = Image.Exif()
    if taken_at is not None:
        exif[0x0110] = "povertycloud synthetic camera"  # Model
        exif.get_ifd(EXIF_IFD)[0x9003] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
    if lat is not None and lon is not None:
        gps = exif.get_ifd(GPS_IFD)
        gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(lat)
        gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(lon)
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=70,
                                        exif=exif.tobytes() if len(exif) or taken_at else b"")
    return out.getvalue()

"""Names as they sound: toneless pinyin, so that 张伟, 张玮 (a homophone character),
"Zhang Wei" and "ZHANGWEI" all read ``zhangwei``.

Chinese characters become their pinyin (ü as ``v``, as pypinyin and keyboards write
it); Latin letters, full-width or accented, become plain lower-case letters; letters
of other scripts stay as they are (lower-cased); spaces, punctuation, the middle dot
of minority names and digits are dropped. A character is read out of context, the
same way on both sides, except that a name's first character takes its reading as
a surname (单 is Shan, not Dan). Each distinct character is looked up once.
"""

from __future__ import annotations

import unicodedata

import pyarrow as pa
import pyarrow.compute as pc

# Surnames whose reading differs from the character's everyday one.
SURNAMES = {"单": "shan", "曾": "zeng", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao",
            "查": "zha", "盖": "ge", "覃": "qin", "翟": "zhai", "缪": "miao", "乐": "yue",
            "阚": "kan", "召": "shao", "秘": "bi", "种": "chong", "繁": "po", "员": "yun"}


def _reading(char: str) -> str | None:
    """How one character sounds, or None when it is not pronounced."""
    from pypinyin import lazy_pinyin  # its dictionaries take 0.2 s to load

    han = lazy_pinyin(char, errors="ignore")
    if han:
        return str(han[0])
    if char in "üÜ":
        return "v"
    latin = "".join(c for c in unicodedata.normalize("NFKD", char)
                    if c.isascii() and c.isalpha())
    if latin:
        return latin.lower()
    if unicodedata.category(char)[0] in "LM":  # Uyghur, Tibetan, Cyrillic...
        return unicodedata.normalize("NFKC", char).casefold()
    return None


class _Readings(dict[int, "str | None"]):
    """Code point -> reading, filled on first use; ``str.translate`` reads it."""

    def __missing__(self, code: int) -> str | None:
        self[code] = reading = _reading(chr(code))
        return reading


_READINGS = _Readings()


def romanise(name: str | None) -> str | None:
    """The toneless pinyin of ``name`` without spaces; None if nothing is pronounced."""
    if name is None:
        return None
    surname = SURNAMES.get(name[:1])
    sound = surname + name[1:].translate(_READINGS) if surname else name.translate(_READINGS)
    return sound or None


def pinyin_column(names: pa.ChunkedArray | pa.Array) -> pa.Array:
    """``romanise`` of every value, computed once per distinct name."""
    if isinstance(names, pa.ChunkedArray):
        names = names.combine_chunks()  # one dictionary for all the chunks
    encoded = pc.dictionary_encode(pc.cast(names, pa.string()))
    sounds = pa.array([romanise(n) for n in encoded.dictionary.to_pylist()], pa.string())
    return sounds.take(encoded.indices)

"""Names as they sound: toneless pinyin, surname first, so that 张伟, 张玮 (a homophone
character), "Zhang Wei" and "ZHANGWEI" all read ``zhangwei``, and 林静华, "Lin Jinghua"
and "Jinghua Lin" (Western order) ``linjinghua``.

Chinese characters become their pinyin (ü as ``v``, as pypinyin and keyboards write
it); Latin letters, full-width or accented, become plain lower-case letters; letters
of other scripts stay as they are (lower-cased); spaces, punctuation, the middle dot
of minority names and digits are dropped. A character is read out of context, the
same way on both sides, except that a name's first character, or first two for a
compound surname, take their reading as a surname (单 is Shan, not Dan; 尉迟 Yuchi).
A transliterated name, with a middle dot (阿依古丽·买买提, 查尔斯·狄更斯), has no
surname to read so.

Chinese characters give the order (surname first); Latin letters do not always: a
name of several words whose last word reads as a surname may be in Western order
(``readings``), and is read both ways. Each distinct character is looked up once.
"""

from __future__ import annotations

import re
import unicodedata

import pyarrow as pa
import pyarrow.compute as pc

from .config import Column, LinkConfig

# Surnames whose reading differs from the character's everyday one.
SURNAMES = {"单": "shan", "曾": "zeng", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao",
            "查": "zha", "盖": "ge", "覃": "qin", "翟": "zhai", "缪": "miao", "乐": "yue",
            "阚": "kan", "召": "shao", "秘": "bi", "种": "chong", "繁": "po", "员": "yun",
            "卜": "bu"}
# Two-character surnames, with their readings as surnames (尉迟 Yuchi, 万俟 Moqi).
COMPOUND_SURNAMES = {
    "欧阳": "ouyang", "司马": "sima", "诸葛": "zhuge", "上官": "shangguan", "司徒": "situ",
    "东方": "dongfang", "皇甫": "huangfu", "慕容": "murong", "夏侯": "xiahou",
    "令狐": "linghu", "公孙": "gongsun", "宇文": "yuwen", "尉迟": "yuchi", "万俟": "moqi",
    "单于": "chanyu", "长孙": "zhangsun", "澹台": "tantai", "轩辕": "xuanyuan",
    "端木": "duanmu", "司空": "sikong", "呼延": "huyan", "赫连": "helian", "南宫": "nangong",
    "西门": "ximen", "闻人": "wenren", "钟离": "zhongli", "申屠": "shentu", "淳于": "chunyu",
    "濮阳": "puyang", "太史": "taishi", "公羊": "gongyang", "百里": "baili", "东郭": "dongguo",
    "拓跋": "tuoba", "完颜": "wanyan", "左丘": "zuoqiu", "第五": "diwu", "仲孙": "zhongsun",
    "乐正": "yuezheng", "亓官": "qiguan", "巫马": "wuma", "公冶": "gongye", "谷梁": "guliang"}
# Surnames as Latin letters read them: those of the 300 commonest surnames (98% of Han
# people, synth/data/surnames.tsv; a test keeps the two alike) and the compound ones.
_COMMON_SURNAMES = """
    ai an ao bai ban bao bi bian bu cai cao cen chai chang che chen cheng chi chu cong cui
    dai dang deng diao ding dong dou du duan fan fang fei feng fu gan gao ge geng gong gou
    gu guan gui guo hai han hao he hong hou hu hua huang hui huo ji jia jian jiang jiao jin
    jing ju kan kang ke kong kou kuang lai lan lang lao lei leng li lian liang liao lin ling
    liu long lou lu luan luo lv ma mai man mao mei meng mi miao min ming mo mou mu nan ni
    nie ning niu nong ou ouyang pan pang pei peng pi pu qi qian qiang qiao qin qiu qu quan
    ran rao ren rong ruan sang sha shan shang shao she shen sheng shi shu si song su sui sun
    suo tan tang tao teng tian tong tu wan wang wei wen weng wu xi xia xian xiang xiao xie
    xin xing xiong xu xue yan yang yao ye yi yin ying you yu yuan yue zang zeng zha zhai
    zhan zhang zhao zhen zheng zhong zhou zhu zhuang zhuo zong zou zuo
    """
_COMPOUND_SOUNDS = frozenset(COMPOUND_SURNAMES.values())
SURNAME_SOUNDS = frozenset(_COMMON_SURNAMES.split()) | _COMPOUND_SOUNDS
# The middle dot between the parts of a minority or foreign name, as keyboards type it.
MIDDLE_DOTS = "·•‧・･∙⋅.．"
_DOT = re.compile(f"[{re.escape(MIDDLE_DOTS)}]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


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
    """The toneless pinyin of ``name`` without spaces, surname first (the first of
    ``readings``); None if nothing is pronounced."""
    return readings(name)[0]


def readings(name: str | None) -> tuple[str | None, str | None]:
    """The pinyin of ``name`` surname first, and, for a name in Latin letters whose
    order is not known, the other way round (else None).

    Latin words read as written unless their order shows: a comma or a middle dot
    keeps it ("Lin, Jinghua"), a word in capitals among others is the surname
    ("Jinghua LIN"). Otherwise, when the last word (or two) reads as a surname, the
    name may be in Western order: if the first word is no surname, it is ("Jinghua
    Lin", "Xiu Ouyang": read ``linjinghua``, and as written second); if it is one too,
    which is unknown ("Wei Zhang": ``weizhang``, then ``zhangwei``)."""
    if name is None:
        return None, None
    name = name.strip()
    if "\u4e00" <= name[:1] <= "\u9fff" or _HAN.search(name):  # most: the first one
        return _in_characters(name) or None, None
    words = [w for w in name.split() if w.translate(_READINGS)]
    capitals = [w for w in words if w.isupper() and len(w) > 1]
    marked = len(capitals) == 1 < len(words)  # "Jinghua LIN"
    if marked:
        words = capitals + [w for w in words if w is not capitals[0]]
    sounds = [w.translate(_READINGS) for w in words]
    written = "".join(sounds) or None
    ordered = marked or "," in name or _DOT.search(name) is not None
    surname = 0 if ordered or len(words) < 2 else _surname_at_end(sounds)
    if not surname:
        return written, None
    turned = "".join(sounds[-surname:] + sounds[:-surname])
    if sounds[0] in SURNAME_SOUNDS:
        return written, turned
    return turned, written


def _surname_at_end(sounds: list[str]) -> int:
    """How many of the last words read as a surname (a compound one may be two)."""
    if len(sounds) > 2 and "".join(sounds[-2:]) in _COMPOUND_SOUNDS:
        return 2
    return 1 if sounds[-1] in SURNAME_SOUNDS else 0


def _in_characters(name: str) -> str:
    """A name in Chinese characters read, its surname as a surname."""
    if _DOT.search(name):
        return name.translate(_READINGS)
    compound = COMPOUND_SURNAMES.get(name[:2])
    if compound:
        return compound + name[2:].translate(_READINGS)
    surname = SURNAMES.get(name[:1])
    return surname + name[1:].translate(_READINGS) if surname else name.translate(_READINGS)


def pinyin_columns(names: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, pa.Array]:
    """Both ``readings`` of every value, computed once per distinct name."""
    if isinstance(names, pa.ChunkedArray):
        names = names.combine_chunks()  # one dictionary for all the chunks
    encoded = pc.dictionary_encode(pc.cast(names, pa.string()))
    read = [readings(n) for n in encoded.dictionary.to_pylist()]
    first, other = (pa.array([r[i] for r in read], pa.string()).take(encoded.indices)
                    for i in (0, 1))
    return first, other


def with_readings(table: pa.Table, config: LinkConfig) -> pa.Table:
    """``table`` with both readings of each name column of ``config`` (``<name>_pinyin``
    and ``<name>_pinyin_swapped``)."""
    for c in config.of_kind("name"):
        sound, swapped = pinyin_columns(table.column(c.name))
        table = table.append_column(c.pinyin, sound).append_column(c.pinyin_swapped,
                                                                   swapped)
    return table


def same_sound(column: Column, left: str, right: str) -> str:
    """SQL: two rows' names of ``column`` have one pinyin, read in either order (one
    side's Latin name may be in Western order). ``left`` and ``right`` are format
    strings naming a derived column of each row (``'l.{}'``, ``'"{}_l"'``); NULL where
    a reading is missing and no other agrees."""
    sound, swapped = column.pinyin, column.pinyin_swapped
    return "(" + " OR ".join(f"{left.format(a)} = {right.format(b)}" for a, b in
                             ((sound, sound), (sound, swapped), (swapped, sound))) + ")"

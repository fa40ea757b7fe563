"""Chinese names: surnames by their real frequencies, given names of one or two characters
from sex-specific pools (sources in data/SOURCES.md)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc


@cache
def _pool(filename: str, column: str, weight: str) -> tuple[npt.NDArray[np.str_],
                                                           npt.NDArray[np.float64]]:
    text = resources.files(__package__).joinpath("data", filename).read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines(), delimiter="\t"))
    values = np.asarray([r[column] for r in rows])
    weights = np.asarray([float(r[weight]) for r in rows])
    return values, weights / weights.sum()


def surnames(rng: np.random.Generator, n: int) -> npt.NDArray[np.str_]:
    values, p = _pool("surnames.tsv", "surname", "share_percent")
    return values[rng.choice(len(values), n, p=p)]


def given_names(rng: np.random.Generator, male: npt.NDArray[np.bool_]) -> pa.Array:
    """One- or two-character given names (four in five have two)."""
    out = np.empty(male.size, dtype=object)
    for is_male, filename in ((True, "given_male.tsv"), (False, "given_female.tsv")):
        idx = np.flatnonzero(male == is_male)
        values, p = _pool(filename, "char", "weight")
        first = values[rng.choice(len(values), idx.size, p=p)]
        second = values[rng.choice(len(values), idx.size, p=p)]
        two = rng.random(idx.size) < 0.8
        out[idx] = np.where(two, np.char.add(first, second), first)
    return pa.array(out, type=pa.string())


def one_apart(rng: np.random.Generator, given: str, male: bool) -> str:
    """A given name one character away from ``given`` (a twin's: 子浩, 子涵), drawn from
    the pool of the sex."""
    values, p = _pool("given_male.tsv" if male else "given_female.tsv", "char", "weight")
    i = int(rng.integers(len(given)))
    while (c := str(values[rng.choice(len(values), p=p)])) == given[i]:
        pass
    return given[:i] + c + given[i + 1:]


def split(name: str) -> tuple[str, str]:
    """Surname and given name (two-character surnames such as 欧阳 recognised)."""
    cut = 2 if name[:2] in _double_surnames() else 1
    return name[:cut], name[cut:]


@cache
def _double_surnames() -> frozenset[str]:
    return frozenset(str(s) for s in _pool("surnames.tsv", "surname", "share_percent")[0]
                     if len(s) == 2)


def full_names(family: npt.NDArray[np.str_], given: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(pa.array(family, type=pa.string()), given, "")


@cache
def ethnic_names() -> dict[str, str]:
    text = resources.files(__package__).joinpath("data", "ethnic_groups.tsv").read_text("utf-8")
    return {r["code"]: r["name_zh"] for r in csv.DictReader(text.splitlines(), delimiter="\t")}

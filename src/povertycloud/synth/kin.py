"""Twins and clan villages, the registry's look-alikes: in a clan village about half the
people bear the clan's surname (its men and their children), so full names repeat
within the village; twins share a household, a birth date and a surname, and their
given names are one character apart (张子浩, 张子涵). Drawn from their own random
stream, so a province without them is the same as before they existed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from . import names
from .population import People

Ints = npt.NDArray[Any]

CLAN_MEN = 0.75  # of a clan village's households, those whose man is of the clan


@dataclass(frozen=True)
class Kin:
    """What a county draws of twins and clans, and the stream it draws them from."""

    rng: np.random.Generator
    twin_births: float  # share of births that are of twins
    clan_villages: float  # share of villages that are a clan's


@dataclass(frozen=True)
class Drawn:
    """A county's look-alikes: per household, the clan surname its man bears ('' for
    none); per person, the elder twin (an index, -1 for none)."""

    kin: Kin
    clan: npt.NDArray[np.str_]
    twin_of: Ints


def draw(kin: Kin, p: People, village: Ints, villages: int, death_year: Ints) -> Drawn:
    return Drawn(kin, clan_surnames(kin, village, villages), twins(kin, p, death_year))


def clan_surnames(kin: Kin, village: Ints, villages: int) -> npt.NDArray[np.str_]:
    """Per household, the clan surname its man bears ('' where none)."""
    clan = np.where(kin.rng.random(villages) < kin.clan_villages,
                    names.surnames(kin.rng, villages), "")
    member = kin.rng.random(village.size) < CLAN_MEN
    return np.where(member, clan[village], "")


def twins(kin: Kin, p: People, death_year: Ints) -> Ints:
    """For each person, the elder twin they were born with (an index), or -1: among
    living children of one household of the same age and relation, pairs chosen so that
    a share ``twin_births`` of births is of twins."""
    twin_of = np.full(p.age.size, -1, dtype=np.int64)
    child = np.isin(p.relation, ["child", "grandchild"])
    pair = np.flatnonzero(child[:-1] & child[1:] & (p.household[:-1] == p.household[1:])
                          & (p.age[:-1] == p.age[1:]) & (p.relation[:-1] == p.relation[1:])
                          & (death_year[:-1] < 0) & (death_year[1:] < 0))
    if pair.size == 0:
        return twin_of
    wanted = kin.twin_births * child.sum()  # pairs: one per birth of twins
    chosen = pair[kin.rng.random(pair.size) < min(1.0, wanted / pair.size)]
    chosen = chosen[np.diff(chosen, prepend=-2) > 1]  # no one a twin twice
    twin_of[chosen + 1] = chosen
    return twin_of


def twin_births(birth: npt.NDArray[Any], twin_of: Ints) -> npt.NDArray[Any]:
    """Birth dates with each younger twin born on the elder's day."""
    younger = twin_of >= 0
    out = birth.copy()
    out[younger] = birth[twin_of[younger]]
    return out


def twin_names(drawn: Drawn, given: pa.Array, male: npt.NDArray[np.bool_]) -> pa.Array:
    """Given names with each younger twin's one character away from the elder's."""
    younger = np.flatnonzero(drawn.twin_of >= 0)
    if younger.size == 0:
        return given
    out = given.to_pylist()
    for young in younger:
        out[young] = names.one_apart(drawn.kin.rng, out[drawn.twin_of[young]],
                                     bool(male[young]))
    return pa.array(out, type=pa.string())

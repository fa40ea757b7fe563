"""What to generate: size, seed, years and the province's identity."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import ConfigError

MIN_PEOPLE = 1_000
MAX_PEOPLE = 10_000_000
TWIN_BIRTHS = 1 / 90  # of births, those of twins (China's rate, about 1 in 90)
CLAN_VILLAGES = 0.5  # of villages, those of a clan, whose surname half the people bear


@dataclass(frozen=True)
class SynthConfig:
    """A synthetic province: the same config and seed always give the same data."""

    people: int = 100_000
    seed: int = 20141
    first_year: int = 2014
    last_year: int = 2020
    province_code: str = "520000000000"
    province_name: str = "黔山省"
    people_per_village: int = 800
    twin_births: float = 0.0  # of births, those of twins (look-alikes for linkage)
    clan_villages: float = 0.0  # of villages, those of one clan (namesakes)

    def __post_init__(self) -> None:
        if not MIN_PEOPLE <= self.people <= MAX_PEOPLE:
            raise ConfigError(f"people must be between {MIN_PEOPLE:,} and {MAX_PEOPLE:,}, "
                             f"not {self.people:,}")
        if self.last_year - self.first_year < 4:
            raise ConfigError("the panel needs at least five years")
        for name in ("twin_births", "clan_villages"):
            if not 0 <= getattr(self, name) <= 1:
                raise ConfigError(f"{name} must be a share between 0 and 1")
        if self.first_year < 2010:
            raise ConfigError("the panel cannot start before 2010 (no poverty line)")

    def with_lookalikes(self) -> SynthConfig:
        """The province with twins and clan villages at realistic rates: what linking
        the department feeds must tell apart (``synth --feeds`` generates it)."""
        return replace(self, twin_births=TWIN_BIRTHS, clan_villages=CLAN_VILLAGES)

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

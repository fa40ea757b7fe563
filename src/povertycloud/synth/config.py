"""What to generate: size, seed, years and the province's identity."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError

MIN_PEOPLE = 1_000
MAX_PEOPLE = 10_000_000


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

    def __post_init__(self) -> None:
        if not MIN_PEOPLE <= self.people <= MAX_PEOPLE:
            raise ConfigError(f"people must be between {MIN_PEOPLE:,} and {MAX_PEOPLE:,}, "
                             f"not {self.people:,}")
        if self.last_year - self.first_year < 4:
            raise ConfigError("the panel needs at least five years")
        if self.first_year < 2010:
            raise ConfigError("the panel cannot start before 2010 (no poverty line)")

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

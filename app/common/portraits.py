"""Which face the inspector shows for a person: one that fits their sex and age band, matches the skin of
their map sprite, and is theirs for good (the same person keeps it; others of their kind get others first).

A portrait is a frame of one of ``assets/generate_art.py``'s sheets (one per sex and age band), skin by
skin, then look by look. Someone whose sex is ``unspecified`` borrows the faces of either, by a toss fixed
by their id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.common.art import AGE_BANDS, Art, person_variant
from engine.contracts import PersonInfo, Sex

# The first age of each band after the first; 14 is where the engine stops treating people as children.
BAND_STARTS = (14, 35, 65)


def age_band(age: int) -> str:
    """child (under 14), young (14-34), adult (35-64) or elder (65 on)."""
    return AGE_BANDS[sum(age >= start for start in BAND_STARTS)]


@dataclass(frozen=True, slots=True)
class PortraitKey:
    sex: str  # the sheet's sex: female or male
    band: str
    skin: int  # which of the sheet's skins (the map sprite's)
    look: int

    @property
    def name(self) -> str:
        return f"{self.sex}-{self.band}-{self.skin}-{self.look}"

    def frame(self, looks: int) -> int:
        return self.skin * looks + self.look


def _mix(person_id: int) -> int:
    """A multiplicative hash, so that neighbours in a family start from different looks."""
    return (person_id * 2654435761 >> 9) & 0xFFFF


def drawn_sex(person: PersonInfo) -> str:
    if person.sex in (Sex.FEMALE, Sex.MALE):
        return str(person.sex)
    return "female" if _mix(person.id) & 1 else "male"


def choose_portraits(people: Sequence[PersonInfo], art: Art) -> dict[int, PortraitKey]:
    """Everyone's portrait. Each person starts at a look fixed by their id and takes the next one free among
    those of their sex, band and skin, in id order (the removed keep theirs, so nobody else's changes)."""
    looks = max(1, art.portrait_looks)
    frames = min((len(f) for f in art.portraits.values()), default=1)
    skins = max(1, frames // looks)
    taken: dict[tuple[str, str, int], set[int]] = {}
    chosen: dict[int, PortraitKey] = {}
    for person in sorted(people, key=lambda p: p.id):
        sprite = person_variant(person.id, len(art.people), person.age)
        skin = art.people_skin[sprite] % skins if sprite < len(art.people_skin) else 0
        bucket = (drawn_sex(person), age_band(person.age), skin)
        used = taken.setdefault(bucket, set())
        start = _mix(person.id) % looks
        look = next((s % looks for s in range(start, start + looks) if s % looks not in used), start)
        used.add(look)
        chosen[person.id] = PortraitKey(bucket[0], bucket[1], skin, look)
    return chosen

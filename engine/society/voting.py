"""How people choose: who stands for the council, whom a voter backs, how a councillor votes.

Everything here is a pure function of who someone is (traits, age, work, family),
what they have heard and whom they like, plus the one random stream the caller
passes in, so an election is the same every time for the same seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from engine.contracts.enums import BuildingType
from engine.society.economy import HOURLY_WAGE
from engine.state.city import City
from engine.state.person import Person
from engine.state.relationships import Relationships

ADULT_AGE = 18
LIVING_WAGE = 1800  # cents per hour: below it people feel they earn little
LOW_BALANCE = 20_000  # cents: below it people feel poor whatever their pay
HIGH_PAY = 2200
HIGH_BALANCE = 1_000_000
TERM_DAYS = 7
FRIEND = 0.3  # affinity above which someone counts as a friend when they pass something on

OPENNESS, CONSCIENTIOUSNESS, EXTRAVERSION, AGREEABLENESS, NEUROTICISM = range(5)


@dataclass(frozen=True, slots=True)
class Standing:
    """Where someone stands on money and family: what a policy would do for them."""

    person: int
    age: int
    traits: tuple[float, float, float, float, float]
    pay: int  # cents per hour (0: not working)
    money: int  # cents
    low_earner: bool
    high_earner: bool
    business_owner: bool
    shop_worker: bool  # works in a shop or a cafe
    parent: bool  # has a child (under 18) in the family


def parents(people: list[Person], ties: Relationships) -> set[int]:
    """Adults with a family tie to a child."""
    found: set[int] = set()
    for child in people:
        if child.removed or child.age >= ADULT_AGE:
            continue
        for other in ties.known_by(child.id):
            tie = ties.get(child.id, other)
            if tie is not None and tie.family and 0 <= other < len(people) and people[other].age >= ADULT_AGE + 2:
                found.add(other)
    return found


def standing_of(person: Person, city: City, minimum_wage: float, parent_ids: set[int], money: int | None = None,
                owns_business: bool = False) -> Standing:
    """What a person stands to gain or lose; ``money`` is their balance now (default: as last saved)."""
    money = person.money if money is None else money
    workplace = city.buildings[person.workplace] if 0 <= person.workplace < len(city.buildings) else None
    working = workplace is not None and not workplace.removed and not person.is_pupil
    pay = max(HOURLY_WAGE.get(workplace.type, 1500), int(minimum_wage)) if working and workplace is not None else 0
    occupation = person.occupation.lower()
    owner = owns_business or "owner" in occupation or occupation == "shopkeeper"
    return Standing(
        person=person.id,
        age=person.age,
        traits=person.traits,
        pay=pay,
        money=money,
        low_earner=(working and pay < LIVING_WAGE and not owner) or money < LOW_BALANCE
        or occupation == "between jobs",
        high_earner=(working and pay >= HIGH_PAY) or money >= HIGH_BALANCE,
        business_owner=owner,
        shop_worker=working and workplace is not None and workplace.type in (BuildingType.SHOP, BuildingType.CAFE),
        parent=person.id in parent_ids,
    )


# -- elections -----------------------------------------------------------------------------


def ambition(person: Person, rng: random.Random) -> float:
    """How keen someone is to stand: outgoing, dutiful, in the prime of life."""
    prime = 0.25 if 25 <= person.age <= 70 else 0.0
    return 0.4 * person.traits[EXTRAVERSION] + 0.4 * person.traits[CONSCIENTIOUSNESS] + prime + 0.3 * rng.random()


def similarity(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """1 for identical personalities, 0 for opposites."""
    return 1.0 - sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def turns_out(voter: Person, rng: random.Random) -> bool:
    return rng.random() < 0.25 + 0.65 * voter.traits[CONSCIENTIOUSNESS]


@dataclass(frozen=True, slots=True)
class Campaign:
    candidate: Person
    fact: int  # the grapevine fact announcing they stand (-1: none)


def ballot(
    voter: Person,
    campaigns: list[Campaign],
    seats: int,
    affinity: Callable[[int, int], float],
    knows: Callable[[int, int], bool],
    heard_from: Callable[[int, int], int],
    rng: random.Random,
) -> list[int]:
    """The candidates this voter backs (one vote each for up to ``seats``), best first."""
    scored = []
    for campaign in campaigns:
        who = campaign.candidate
        score = 0.5 * similarity(voter.traits, who.traits)
        if who.id != voter.id:
            score += affinity(voter.id, who.id)
        if campaign.fact >= 0 and knows(campaign.fact, voter.id):
            score += 0.4
            teller = heard_from(campaign.fact, voter.id)
            if teller >= 0 and teller != voter.id and affinity(voter.id, teller) > FRIEND:
                score += 0.2
        score += rng.uniform(-0.1, 0.1)
        scored.append((-score, who.id))
    scored.sort()
    return [who for _, who in scored[:seats]]


# -- council votes -------------------------------------------------------------------------


def interest(standing: Standing, policy: str, old: float, new: float, treasury: int) -> float:
    """How much a change would help (+) or hurt (-) this councillor, roughly -1 .. 1."""
    traits = standing.traits
    if policy == "minimum_wage":
        gain = (0.7 if standing.low_earner else 0.0) - (0.9 if standing.business_owner else 0.0)
        gain -= 0.15 if standing.high_earner else 0.0
        return gain if new > old else -gain
    if policy == "tax_rate":
        gain = -0.5 if standing.high_earner else 0.1 if standing.low_earner else -0.15
        if treasury < 0:  # the district is broke: the dutiful want it mended
            gain += 0.6 * traits[CONSCIENTIOUSNESS]
        return gain if new > old else -gain
    if policy == "curfew":
        suits = 0.9 * (traits[NEUROTICISM] - 0.5) + (0.3 if standing.age >= 55 else 0.0)
        suits -= 0.9 * (traits[EXTRAVERSION] - 0.5) + (0.3 if standing.age < 30 else 0.0)
        if new < 0:  # lifting it
            return -suits
        if old < 0:  # bringing one in
            return suits
        return suits * (0.5 if _earlier(new, old) else -0.5)  # moving it
    if policy in ("park_funding", "school_funding"):
        gain = 0.8 * (traits[OPENNESS] - 0.5)
        if policy == "park_funding":
            gain += 0.4 * (traits[EXTRAVERSION] - 0.5)
        else:
            gain += 0.7 if standing.parent else 0.0
        gain -= 0.2 if standing.high_earner else 0.0  # it is paid for by taxes
        if treasury < (new - old) * TERM_DAYS:  # a week of it would empty the treasury: the dutiful balk
            gain -= 0.6 * traits[CONSCIENTIOUSNESS]
        return gain if new > old else -gain
    if policy == "opening_hours":
        gain = (0.5 if standing.business_owner else 0.0) + (0.3 if standing.shop_worker else 0.0)
        gain += 0.4 * (traits[EXTRAVERSION] - 0.5) - 0.3 * (traits[NEUROTICISM] - 0.5)
        return gain if new > old else -gain
    return 0.0


def _earlier(new: float, old: float) -> bool:
    """Whether curfew ``new`` falls earlier in the evening than ``old`` (times after midnight are late)."""
    def evening(minute: float) -> float:
        return minute + 24 * 60 if minute < 12 * 60 else minute
    return evening(new) < evening(old)


def council_vote(
    standing: Standing,
    policy: str,
    old: float,
    new: float,
    treasury: int,
    proposer: int,
    neighbour: bool,
    tellers: Iterable[int],
    affinity: Callable[[int, int], float],
    rng: random.Random,
) -> bool:
    """Yes or no: interest first, then temperament, then what they heard from whom."""
    if standing.person == proposer:
        return True
    lean = interest(standing, policy, old, new, treasury) - 0.05  # a little weight for how things are
    agreeable = standing.traits[AGREEABLENESS] - 0.5
    lean += 0.4 * agreeable if neighbour else 0.15 * agreeable
    if proposer >= 0:
        lean += 0.5 * affinity(standing.person, proposer)
    for teller in tellers:  # heard it through the grapevine: the messenger colours the message
        if teller >= 0 and teller not in (standing.person, proposer):
            lean += 0.4 * affinity(standing.person, teller)
    lean += rng.uniform(-0.15, 0.15)
    return lean > 0

"""The market itself: where and when, the stalls, who comes, what they buy, and the prices after."""

from __future__ import annotations

from typing import Any

from engine.contracts.enums import Activity, BuildingType
from engine.plugins import ActivityKind, EventKind, MetricKind, Town

NAME = "market_day"
SATURDAY = 5
OPENS = 8 * 60  # minute of day
HOURS = 5
GOODS = (("bread", 350), ("vegetables", 500), ("cheese", 800), ("honey", 650), ("flowers", 400), ("pottery", 1500))
STALLS = 6
PER_STALL_SHARE = 0.2  # a stall's first batch: this many units per adult in town, shared among the stalls
COMES = 0.5  # chance someone free during the market goes (once per market)
WILLING = (0.8, 1.6)  # what a shopper will pay, as a multiple of a good's first price (drawn each time)
DEARER, CHEAPER = 1.15, 0.9  # sold out / left with more than half: next week's price
FLOOR, CEILING = 0.5, 3.0  # prices stay within these multiples of where they started
STALL, HOLDER, GOOD, PRICE, START, BROUGHT, SOLD = range(7)  # a stall: [id, holder, good, price, start, brought, sold]

ACTIVITY = ActivityKind("market_shopping", "shopping at the market", Activity.SHOP,
                        prompt="On Saturday mornings a market fills the plaza: stalls sell bread, vegetables, "
                               "cheese, honey, flowers and pottery, and prices change with what sold last week.")
EVENT = EventKind("market_day", ("market day", "farmers market", "farmers' market", "flea market"),
                  "an extra market on the plaza, at once, for five hours")
METRICS = (MetricKind("market_day.price_index", "market prices (100 = the first market)"),
           MetricKind("market_day.units_sold", "units sold at the latest market", "units"))


def site(town: Town) -> int:
    """The plaza: where the town hall stands (else the first park; -1: nowhere to hold it)."""
    for kind in (BuildingType.TOWN_HALL, BuildingType.PARK):
        for b in town.city.standing:
            if b.type == kind:
                return b.id
    return -1


def start(town: Town) -> None:
    adults = [p.id for p in town.people if not p.removed and 18 <= p.age < 75]
    adults.sort(key=lambda pid: (pid * 2654435761) % 4099)  # the same stallholders each time, without dice
    batch = max(2, round(PER_STALL_SHARE * len(adults) / STALLS))
    stalls = [[i, holder, good, price, price, batch, 0]
              for i, (holder, (good, price)) in enumerate(zip(adults[:STALLS], GOODS, strict=False))]
    town.state.update(site=site(town), stalls=stalls, open_until=-1, considered={}, markets=0,
                      units=0, total_units=0, turnover=0, too_dear=0)


def _opens_now(town: Town, tick: int) -> bool:
    clock = town.clock
    now, before = clock.minute_of_day(tick), clock.minute_of_day(tick - 1)
    weekday = int(town.settings.get("weekday", SATURDAY))  # a setting: 0 Monday .. 6 Sunday
    return clock.weekday(tick) == weekday and before < OPENS <= now


def tick(town: Town, tick: int) -> None:
    state = town.state
    if state["open_until"] < 0:
        if _opens_now(town, tick):
            open_market(town, tick)
        return
    if tick >= state["open_until"]:
        close_market(town)
        return
    _trade(town)


def begin_extra(town: Town, tick: int) -> None:
    """An injected market day: the stalls go up now (unless one is on)."""
    if town.state["open_until"] < 0:
        open_market(town, tick)


def open_market(town: Town, tick: int) -> None:
    state = town.state
    state["site"] = site(town) if state["site"] < 0 or town.city.buildings[state["site"]].removed else state["site"]
    if state["site"] < 0 or not state["stalls"]:
        return
    state["open_until"] = tick + town.clock.ticks_for(HOURS * 60)
    state["considered"] = {}
    state["units"] = 0
    state["markets"] += 1
    for stall in state["stalls"]:
        stall[SOLD] = 0
        town.call_out(stall[HOLDER])  # stallholders set up
    prices = ", ".join(f"{s[GOOD]} ${s[PRICE] / 100:.2f}" for s in state["stalls"])
    town.say(f"Market day at {town.city.buildings[state['site']].name}: {len(state['stalls'])} stalls ({prices})",
             state["site"])


def close_market(town: Town) -> None:
    """Prices for next week follow how each stall sold: scarce goods dearer, unsold ones cheaper."""
    state = town.state
    state["open_until"] = -1
    for stall in state["stalls"]:
        sold, brought = stall[SOLD], stall[BROUGHT]
        if sold >= brought:
            stall[PRICE] = min(round(stall[PRICE] * DEARER), round(stall[START] * CEILING))
            stall[BROUGHT] = brought + 2
        elif sold * 2 < brought:
            stall[PRICE] = max(round(stall[PRICE] * CHEAPER), round(stall[START] * FLOOR))
            stall[BROUGHT] = max(4, brought - 2)
    state["considered"] = {}
    town.say(f"The market packs up: {state['units']} sold; price index {price_index(state):.0f}", state["site"])


def agenda(town: Town, person: int, tick: int) -> tuple[int, int, int] | None:
    state = town.state
    if state["open_until"] < 0 or tick >= state["open_until"]:
        return None
    where = state["site"]
    if any(stall[HOLDER] == person for stall in state["stalls"]):
        return (int(Activity.WORK), where, state["open_until"]) if town.pop.location[person] != where else None
    key = str(person)
    if key in state["considered"]:
        return None
    state["considered"][key] = 1
    p = town.people[person]
    if p.removed or p.age < 12 or town.pop.activity[person] == Activity.SLEEP or town.rng.random() > COMES:
        return None
    town.remember(person, ACTIVITY.prompt)  # a mind on the model knows what the market is when it plans
    return int(Activity.SHOP), where, min(state["open_until"], tick + town.clock.ticks_for(town.rng.randint(20, 50)))


def _trade(town: Town) -> None:
    """Whoever is shopping at the market and has not bought yet buys what they came for."""
    state = town.state
    where = state["site"]
    pop = town.pop
    shoppers = ((pop.location == where) & (pop.activity == int(Activity.SHOP))).nonzero()[0].tolist()
    for person in shoppers:
        key = str(person)
        if state["considered"].get(key) == 2:
            continue
        state["considered"][key] = 2  # served
        wanted = town.rng.choice(GOODS)[0]
        offers = sorted((s for s in state["stalls"] if s[GOOD] == wanted and s[SOLD] < s[BROUGHT]),
                        key=lambda s: (s[PRICE], s[STALL]))
        offers = offers or sorted((s for s in state["stalls"] if s[SOLD] < s[BROUGHT]), key=lambda s: (s[PRICE], s[STALL]))
        for stall in offers[:1]:
            if stall[PRICE] > stall[START] * town.rng.uniform(*WILLING):
                state["too_dear"] += 1  # demand falls as the price climbs
                break
            units = town.rng.randint(1, 2)
            for _ in range(units):
                if stall[SOLD] >= stall[BROUGHT] or not town.sell(person, town.person_account(stall[HOLDER]), stall[PRICE]):
                    break
                stall[SOLD] += 1
                state["units"] += 1
                state["total_units"] += 1
                state["turnover"] += stall[PRICE]


def price_index(state: dict[str, Any]) -> float:
    stalls = state.get("stalls") or []
    if not stalls:
        return 100.0
    return round(100 * sum(s[PRICE] / s[START] for s in stalls) / len(stalls), 2)


def measure(town: Town) -> dict[str, float]:
    return {"market_day.price_index": price_index(town.state), "market_day.units_sold": float(town.state["units"])}


def summary(town: Town) -> dict[str, Any]:
    state = town.state
    return {
        "markets": state["markets"],
        "units_sold": state["total_units"],
        "turnover": round(state["turnover"] / 100, 2),
        "too_dear": state["too_dear"],
        "price_index": price_index(state),
        "prices": {s[GOOD]: round(s[PRICE] / 100, 2) for s in state["stalls"]},
        "site": town.city.buildings[state["site"]].name if state["site"] >= 0 else None,
    }

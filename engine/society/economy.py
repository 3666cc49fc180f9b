"""Work, shops, homes and taxes: the rules that move money, all through the ledger.

* **Wages** at the end of a shift, at the job's rate or the district's minimum wage,
  whichever is higher; the district takes its income tax at once. Private firms pay
  from their own account (offices and workshops sell to the world outside, cafes and
  shops to townsfolk); schools, the town hall and parks are paid by the treasury.
* **Prices and stock**: every cafe and shop has a price and a stock. A sale takes one
  unit; at midnight a shop restocks (buying wholesale from outside), and prices
  follow demand: sold out -> dearer, mostly unsold -> cheaper.
* **Property**: every home and business has an owner (a person, or the district).
  Tenants pay rent each midnight; firms pay their owner a dividend from profits.
  Owners in debt put property up for sale and whoever can afford it buys.
* **The thought economy** (optional): each LLM call costs its thinker by the tokens.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.contracts.enums import BuildingType
from engine.contracts.society import BusinessView, EconomyView, PropertyView
from engine.society import ledger as acct
from engine.society.ledger import OUTSIDE_CODE, Ledger
from engine.society.places import district_of_building
from engine.state.city import City
from engine.state.person import Person

HOURLY_WAGE = {  # cents
    BuildingType.CAFE: 1400, BuildingType.SHOP: 1500, BuildingType.OFFICE: 2600,
    BuildingType.WORKSHOP: 1900, BuildingType.SCHOOL: 2300, BuildingType.TOWN_HALL: 2200,
    BuildingType.PARK: 1500,
}
PUBLIC = {BuildingType.SCHOOL, BuildingType.TOWN_HALL, BuildingType.PARK}
EXPORTERS = {BuildingType.OFFICE, BuildingType.WORKSHOP}
EXPORT_MARKUP = 1.35  # what the outside world pays a firm per cent of wages it spends
RETAIL = {BuildingType.CAFE: 1100, BuildingType.SHOP: 2400}  # base price of a meal / a basket of goods
STOCK_PER_SEAT = {BuildingType.CAFE: 4, BuildingType.SHOP: 5}
WHOLESALE = 0.4  # share of the price a unit costs to restock
PRICE_RANGE = (0.6, 2.5)  # prices stay within these multiples of the base
RENT = {BuildingType.HOME: 2000, BuildingType.APARTMENT: 1400}  # cents a day per adult tenant
HOME_VALUE_DAYS = 90  # a home is worth this many days of full rent
BUSINESS_VALUE = 400_000  # cents, what a firm changes hands for
DIVIDEND_RESERVE = 50_000  # a firm keeps this much before paying its owner half the rest
BENEFIT = 2500  # cents a day from the treasury to adults without a job (pensioners, the unemployed)
SCHOOL_FUNDED_BONUS = 0.25  # funded schools pay their staff this much more
ADULT = 18


@dataclass
class Business:
    building: int
    owner: int  # person id, -1: the district
    base_price: int
    price: int
    stock: int
    capacity: int
    sold_today: int = 0


@dataclass
class Property:
    building: int
    owner: int  # person id, -1: the district
    value: int
    for_sale: bool = False


class Economy:
    def __init__(self, city: City, people: list[Person], ledger: Ledger, policy: Callable[[int, str], float]):
        self.city = city
        self.people = people
        self.ledger = ledger
        self.policy = policy  # (district, name) -> value in force
        self.businesses: dict[int, Business] = {}
        self.properties: dict[int, Property] = {}
        self.thought_economy = False
        self.thought_price = 50  # cents per 1,000 tokens
        self.gdp_hours = [0] * 24  # final sales in each of the last 24 sim hours
        self._hour = -1
        self.sales = 0  # properties that changed hands
        self._alive_ids: np.ndarray | None = None
        self.version = 0
        self._district: list[int] = []
        self.city_changed()

    # -- setting up ------------------------------------------------------------------------

    def city_changed(self) -> None:
        self._district = [district_of_building(self.city, b) for b in self.city.buildings]
        for b in self.city.buildings:
            if b.removed or b.id in self.businesses or b.id in self.properties:
                continue
            if b.type in RETAIL:
                stock = max(10, b.capacity * STOCK_PER_SEAT[b.type])
                price = RETAIL[b.type]
                self.businesses[b.id] = Business(b.id, -1, price, price, stock, stock)
            if b.type in RENT:
                value = RENT[b.type] * max(1, b.capacity) * HOME_VALUE_DAYS
                self.properties[b.id] = Property(b.id, -1, value)
            elif b.type in RETAIL or b.type in EXPORTERS:
                self.properties[b.id] = Property(b.id, -1, BUSINESS_VALUE)
        self.version += 1

    def assign_owners(self, rng: random.Random) -> None:
        """A new world: half of the homes belong to someone who lives there, some to a landlord,
        the rest to the district; each firm to one of its older workers (or a well-off local)."""
        adults = [p.id for p in self.people if p.age >= ADULT and not p.removed]
        if not adults:
            return
        residents: dict[int, list[int]] = {}
        workers: dict[int, list[int]] = {}
        for p in self.people:
            if p.removed or p.age < ADULT:
                continue
            residents.setdefault(p.home, []).append(p.id)
            if p.workplace >= 0:
                workers.setdefault(p.workplace, []).append(p.id)
        for bid in sorted(self.properties):
            prop = self.properties[bid]
            if self._is_home(bid):
                living = residents.get(bid, [])
                roll = rng.random()
                if living and roll < 0.5:
                    prop.owner = max(living, key=lambda pid: (self.people[pid].age, -pid))
                elif roll < 0.8:
                    prop.owner = adults[rng.randrange(len(adults))]
            else:
                staff = workers.get(bid, [])
                pool = staff or adults
                prop.owner = max(pool[: 3], key=lambda pid: (self.people[pid].age, -pid)) if staff \
                    else pool[rng.randrange(len(pool))]
            if bid in self.businesses:
                self.businesses[bid].owner = prop.owner
        self.version += 1

    # -- money moving ------------------------------------------------------------------------

    def _is_home(self, building: int) -> bool:
        return self.city.buildings[building].type in RENT

    def district(self, building: int) -> int:
        return self._district[building] if 0 <= building < len(self._district) else -1

    def wage_rate(self, building: int) -> int:
        b = self.city.buildings[building]
        district = self.district(building)
        rate = max(HOURLY_WAGE.get(b.type, 1500), int(self.policy(district, "minimum_wage")))
        if b.type == BuildingType.SCHOOL and self.policy(district, "school_funding") > 0:
            rate = int(rate * (1 + SCHOOL_FUNDED_BONUS))
        return rate

    def pay_shift(self, person: int, building: int, hours: float, tick: int) -> None:
        if hours <= 0 or self.people[person].is_pupil:
            return
        b = self.city.buildings[building]
        gross = int(hours * self.wage_rate(building))
        district = self.district(building)
        if b.type in PUBLIC or building not in self.properties:
            payer = acct.treasury(district) if district >= 0 else OUTSIDE_CODE
        else:
            payer = acct.building(building)
            if b.type in EXPORTERS:
                earned = int(gross * EXPORT_MARKUP)
                self.ledger.post(tick, "export", OUTSIDE_CODE, payer, earned)
                self._count_sale(tick, earned)
        self.ledger.post(tick, "wage", payer, acct.person(person), gross)
        if district >= 0:
            tax = int(gross * self.policy(district, "tax_rate"))
            self.ledger.post(tick, "tax", acct.person(person), acct.treasury(district), tax)

    def business_owners(self) -> set[int]:
        """Everyone who owns a shop or a property that is not a home; one pass, for a whole district's residents."""
        owners = {shop.owner for shop in self.businesses.values()}
        owners.update(prop.owner for prop in self.properties.values() if not self._is_home(prop.building))
        return owners

    def can_serve(self, building: int) -> bool:
        shop = self.businesses.get(building)
        return shop is None or shop.stock > 0

    def price(self, building: int) -> int:
        shop = self.businesses.get(building)
        return shop.price if shop else RETAIL.get(self.city.buildings[building].type, 1000)

    def buy(self, person: int, building: int, tick: int, units: int = 1) -> int:
        """``person`` buys up to ``units`` at ``building`` (as many as they can afford and are in stock);
        returns what they paid."""
        shop = self.businesses.get(building)
        if shop is None:
            return 0
        purse = int(self.ledger.money[person])
        units = min(units, shop.stock, max(0, purse) // shop.price)
        if units <= 0:
            return 0
        paid = units * shop.price
        kind = "meal" if self.city.buildings[building].type == BuildingType.CAFE else "goods"
        self.ledger.post(tick, kind, acct.person(person), acct.building(building), paid)
        shop.stock -= units
        shop.sold_today += units
        self._count_sale(tick, paid)
        return paid

    def charge_thought(self, person: int, tokens: int, tick: int) -> None:
        if self.thought_economy and tokens > 0 and 0 <= person < len(self.people):
            cost = max(1, tokens * self.thought_price // 1000)
            self.ledger.post(tick, "thought", acct.person(person), OUTSIDE_CODE, cost)

    def may_think(self, person: int) -> bool:
        """With the thought economy on, someone in debt lives on routine until they are paid."""
        return not self.thought_economy or int(self.ledger.money[person]) >= 0

    def _count_sale(self, tick: int, cents: int) -> None:
        self.gdp_hours[self._hour_slot(tick)] += cents

    def _hour_slot(self, tick: int) -> int:
        return self._hour % 24 if self._hour >= 0 else 0

    def hour_passed(self, hour: int) -> None:
        """A new sim hour began (hours since day 1): its GDP bucket starts empty."""
        self._hour = hour
        self.gdp_hours[hour % 24] = 0

    # -- midnight ----------------------------------------------------------------------------

    def midnight(self, tick: int, rng: random.Random) -> list[tuple[int, int, int, int]]:
        """The day's accounts: rent, benefits, restocking and prices, dividends, public funding and
        the property market. Returns the sales made (building, seller, buyer, price)."""
        self._collect_rent(tick)
        self._pay_benefits(tick)
        self._restock(tick)
        self._pay_dividends(tick)
        self._fund_public_places(tick)
        sales = self._property_market(tick, rng)
        self.version += 1
        return sales

    def _owner_account(self, owner: int, building: int) -> int:
        """Who is paid for a property: its owner, or the district (for public ones, and for those whose
        owner left town: their estate is held by the district until the property is sold)."""
        if owner >= 0 and not self.people[owner].removed:
            return acct.person(owner)
        district = self.district(building)
        return acct.treasury(district) if district >= 0 else OUTSIDE_CODE

    def _collect_rent(self, tick: int) -> None:
        for p in self.people:
            if p.removed or p.age < ADULT:
                continue
            prop = self.properties.get(p.home)
            if prop is None or prop.owner == p.id:
                continue
            rent = RENT.get(self.city.buildings[p.home].type, 0)
            self.ledger.post(tick, "rent", acct.person(p.id), self._owner_account(prop.owner, p.home), rent)
            self._count_sale(tick, rent)

    def _pay_benefits(self, tick: int) -> None:
        for p in self.people:
            if p.removed or p.age < ADULT or p.workplace >= 0:
                continue
            district = self.district(p.home)
            payer = acct.treasury(district) if district >= 0 else OUTSIDE_CODE
            self.ledger.post(tick, "pension", payer, acct.person(p.id), BENEFIT)

    def _restock(self, tick: int) -> None:
        for bid in sorted(self.businesses):
            if self.city.buildings[bid].removed:
                continue
            shop = self.businesses[bid]
            low, high = (int(shop.base_price * f) for f in PRICE_RANGE)
            if shop.stock == 0:
                shop.price = min(high, int(shop.price * 1.06) + 1)
            elif shop.stock > 0.6 * shop.capacity:
                shop.price = max(low, int(shop.price * 0.96))
            missing = shop.capacity - shop.stock
            if missing > 0:
                cost = int(missing * shop.price * WHOLESALE)
                self.ledger.post(tick, "restock", acct.building(bid), OUTSIDE_CODE, cost)
                shop.stock = shop.capacity
            shop.sold_today = 0

    def _pay_dividends(self, tick: int) -> None:
        for bid in sorted(self.properties):
            prop = self.properties[bid]
            if self._is_home(bid) or prop.owner < 0 or self.city.buildings[bid].removed \
                    or self.people[prop.owner].removed:
                continue
            spare = self.ledger.balance(acct.building(bid)) - DIVIDEND_RESERVE
            if spare > 0:
                self.ledger.post(tick, "dividend", acct.building(bid), acct.person(prop.owner), spare // 2)

    def _fund_public_places(self, tick: int) -> None:
        for kind, policy in ((BuildingType.PARK, "park_funding"), (BuildingType.SCHOOL, "school_funding")):
            places: dict[int, list[int]] = {}
            for b in self.city.buildings_of(kind):
                places.setdefault(self.district(b.id), []).append(b.id)
            for district, ids in sorted(places.items()):
                budget = int(self.policy(district, policy))
                if district < 0 or budget <= 0:
                    continue
                for bid in ids:
                    self.ledger.post(tick, "funding", acct.treasury(district), acct.building(bid), budget // len(ids))

    def _property_market(self, tick: int, rng: random.Random) -> list[tuple[int, int, int, int]]:
        money = self.ledger.money
        for prop in self.properties.values():  # owners in debt sell; now and then one just moves on
            if prop.owner >= 0 and not prop.for_sale and not self.city.buildings[prop.building].removed:
                gone = self.people[prop.owner].removed  # an owner who left town sells up
                prop.for_sale = gone or int(money[prop.owner]) < 0 or rng.random() < 0.01
        sales = []
        for bid in sorted(b for b, p in self.properties.items() if p.for_sale and not self.city.buildings[b].removed):
            prop = self.properties[bid]
            buyer = self._buyer_for(prop)
            if buyer < 0:
                continue
            seller = prop.owner
            self.ledger.post(tick, "property", acct.person(buyer), self._owner_account(seller, bid), prop.value)
            prop.owner, prop.for_sale = buyer, False
            if bid in self.businesses:
                self.businesses[bid].owner = buyer
            sales.append((bid, seller, buyer, prop.value))
        self.sales += len(sales)
        return sales

    def _buyer_for(self, prop: Property) -> int:
        """Someone who lives there first, else the richest adult who can afford it with a cushion."""
        money = self.ledger.money
        cushion = prop.value + 50_000
        living = sorted(p.id for p in self.people if p.home == prop.building and not p.removed and p.age >= ADULT)
        for pid in living:
            if pid != prop.owner and int(money[pid]) >= cushion:
                return pid
        candidates = [p.id for p in self.people
                      if not p.removed and p.age >= ADULT and p.id != prop.owner and int(money[p.id]) >= cushion]
        if not candidates:
            return -1
        return max(candidates, key=lambda pid: (int(money[pid]), -pid))

    # -- reading -----------------------------------------------------------------------------

    def gdp(self) -> int:
        return sum(self.gdp_hours)

    def gini(self) -> float:
        alive = self.alive()
        return gini(np.maximum(self.ledger.money[alive], 0)) if len(alive) else 0.0

    def alive(self) -> np.ndarray:
        """Ids of the people still in town (cached until the cast changes: see ``cast_changed``)."""
        if self._alive_ids is None:
            self._alive_ids = np.array([p.id for p in self.people if not p.removed], dtype=np.int64)
        return self._alive_ids

    def cast_changed(self) -> None:
        self._alive_ids = None

    def treasuries(self) -> list[tuple[int, int]]:
        return [(d.id, self.ledger.balance(acct.treasury(d.id))) for d in self.city.districts]

    def view(self, version: int) -> EconomyView:
        money = self.ledger.money
        alive = self.alive()
        businesses = tuple(
            BusinessView(s.building, s.owner, s.price, s.stock, s.capacity, s.sold_today,
                         self.ledger.balance(acct.building(s.building)))
            for s in sorted(self.businesses.values(), key=lambda s: s.building)
            if not self.city.buildings[s.building].removed
        )
        properties = tuple(
            PropertyView(p.building, p.owner, p.value, RENT.get(self.city.buildings[p.building].type, 0), p.for_sale)
            for p in sorted(self.properties.values(), key=lambda p: p.building)
            if not self.city.buildings[p.building].removed
        )
        return EconomyView(
            version=version, gdp=self.gdp(), gini=round(self.gini(), 4), transactions=len(self.ledger),
            money_supply=int(money[alive].sum()) if len(alive) else 0, treasuries=tuple(self.treasuries()),
            businesses=businesses, properties=properties, thought_economy=self.thought_economy,
            thought_price=self.thought_price, in_debt=int((money[alive] < 0).sum()) if len(alive) else 0,
        )

    def summary(self) -> dict[str, object]:
        return {
            "gdp": self.gdp(), "gini": round(self.gini(), 4), "transactions": len(self.ledger),
            "money_supply": int(self.ledger.money.sum()),
            "treasuries": {self.city.districts[d].name: cents for d, cents in self.treasuries()},
            "properties_sold": self.sales, "in_debt": int((self.ledger.money < 0).sum()),
            "books_balance": not self.ledger.verify(),
        }

    # -- state -------------------------------------------------------------------------------

    def get_state(self) -> dict[str, object]:
        return {
            "businesses": [[s.building, s.owner, s.base_price, s.price, s.stock, s.capacity, s.sold_today]
                           for _, s in sorted(self.businesses.items())],
            "properties": [[p.building, p.owner, p.value, p.for_sale] for _, p in sorted(self.properties.items())],
            "thought": [self.thought_economy, self.thought_price],
            "gdp_hours": list(self.gdp_hours),
            "hour": self._hour,
            "sales": self.sales,
        }

    def set_state(self, state: dict[str, Any]) -> None:
        self.businesses = {int(r[0]): Business(*(int(v) for v in r)) for r in state["businesses"]}
        self.properties = {int(r[0]): Property(int(r[0]), int(r[1]), int(r[2]), bool(r[3]))
                           for r in state["properties"]}
        enabled, price = state["thought"]
        self.thought_economy, self.thought_price = bool(enabled), int(price)
        self.gdp_hours = [int(v) for v in state["gdp_hours"]]
        self._hour = int(state["hour"])
        self.sales = int(state["sales"])
        self.city_changed()  # buildings placed after this state was saved get their books


def gini(values: np.ndarray) -> float:
    """0 when everyone holds the same, towards 1 when one holds everything."""
    v = np.sort(np.asarray(values, dtype=np.float64))
    n = len(v)
    total = v.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2 * (ranks * v).sum()) / (n * total) - (n + 1) / n)

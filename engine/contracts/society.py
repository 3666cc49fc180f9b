"""The society as the GUI sees it: money, councils, word of mouth.

Views ride on the snapshot (rebuilt only when their ``version`` moves); the
ledger itself is too long for that, so the economy dock asks for pages of it
(``QueryLedger`` -> ``LedgerResult``) and the social graph asks for one pair's
story (``QueryPair`` -> ``PairReport``).

Money is in cents everywhere. Accounts are named by :class:`Account` values so
a reader never decodes ids: a person, a building (a business or a home), a
district's treasury, or the world outside the town.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.contracts.commands import Command
from engine.contracts.events import Event

# -- accounts ----------------------------------------------------------------------------------

PERSON, BUILDING, TREASURY, OUTSIDE = "person", "building", "treasury", "outside"


@dataclass(frozen=True, slots=True)
class Account:
    kind: str  # person | building | treasury | outside
    id: int = -1  # person id, building id or district id (-1 for outside)


# -- the economy -------------------------------------------------------------------------------

TRANSACTION_KINDS = (
    "opening",  # the books were closed: an account's balance carried forward
    "wage", "tax", "meal", "goods", "rent", "restock", "export", "dividend", "pension", "funding",
    "property", "thought", "grant", "repair",
)


@dataclass(frozen=True, slots=True)
class TransactionView:
    index: int  # position in the ledger since the world began (never reused)
    tick: int
    kind: str
    payer: Account
    payee: Account
    amount: int  # cents, > 0
    payer_name: str
    payee_name: str


@dataclass(frozen=True, slots=True)
class BusinessView:
    building: int
    owner: int  # person id, -1: the district
    price: int  # cents a meal / a basket of goods
    stock: int
    stock_capacity: int
    sold_today: int
    balance: int  # cents


@dataclass(frozen=True, slots=True)
class PropertyView:
    building: int
    owner: int  # person id, -1: the district (public housing)
    value: int  # cents
    rent: int  # cents a day per tenant
    for_sale: bool


@dataclass(frozen=True, slots=True)
class EconomyView:
    version: int  # moves whenever the view is rebuilt: the tick, or past it when rebuilt again within one
    gdp: int  # cents of final sales (meals, goods, rent, exports) over the last sim day
    gini: float  # of people's balances, 0 (equal) .. 1
    transactions: int  # since the world began
    money_supply: int  # cents held by people
    treasuries: tuple[tuple[int, int], ...]  # (district, balance)
    businesses: tuple[BusinessView, ...]
    properties: tuple[PropertyView, ...]
    thought_economy: bool = False
    thought_price: int = 0  # cents per 1,000 tokens
    in_debt: int = 0  # people whose balance is below zero (they cannot think while the thought economy is on)


# -- governance --------------------------------------------------------------------------------

POLICIES = ("tax_rate", "minimum_wage", "curfew", "park_funding", "school_funding", "opening_hours")


@dataclass(frozen=True, slots=True)
class PolicyView:
    name: str  # one of POLICIES
    value: float
    text: str  # plain words: "income tax 12%", "curfew at 22:00", "none"


@dataclass(frozen=True, slots=True)
class CouncilView:
    district: int
    name: str  # the district's name
    members: tuple[int, ...]  # person ids
    seats: int
    next_election_tick: int
    policies: tuple[PolicyView, ...]
    treasury: int  # cents


@dataclass(frozen=True, slots=True)
class ProposalView:
    id: int
    district: int
    policy: str
    value: float
    text: str  # "Raise the minimum wage to $18/h"
    reason: str
    proposer: int  # person id, -1: the player
    made_tick: int
    state: str  # open | passed | failed | withdrawn
    decided_tick: int = -1
    yes: tuple[int, ...] = ()  # voters
    no: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ElectionView:
    tick: int
    district: int
    winners: tuple[int, ...]
    tally: tuple[tuple[int, int], ...]  # (candidate, votes), most first
    turnout: float


@dataclass(frozen=True, slots=True)
class GovernanceView:
    version: int
    councils: tuple[CouncilView, ...]
    proposals: tuple[ProposalView, ...]  # newest first (open ones and the latest decided)
    elections: tuple[ElectionView, ...]  # newest first


# -- word of mouth -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FactView:
    id: int
    text: str
    origin: int  # person who first said it (-1: the player)
    kind: str  # news | event | campaign | proposal
    tick: int
    knowers: int
    building: int = -1  # events: where
    start_tick: int = -1  # events: when
    end_tick: int = -1
    attended: int = 0  # events: how many came (so far)


@dataclass(frozen=True, slots=True)
class SocietyView:
    economy: EconomyView
    governance: GovernanceView
    facts: tuple[FactView, ...] = ()
    density: float = 0.0  # share of possible pairs who know each other


# -- reads -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryLedger(Command):
    """A page of the ledger, newest first, filtered; answered by ``LedgerResult``."""

    kind: str = ""  # one of TRANSACTION_KINDS; empty: all
    person: int = -1  # only transactions paid or received by this person
    building: int = -1  # ... or by this building
    district: int = -1  # ... or by this district's treasury
    limit: int = 200
    offset: int = 0


@dataclass(frozen=True, slots=True)
class LedgerResult(Event):
    command_id: int
    rows: tuple[TransactionView, ...]
    total: int  # matching rows in the window kept in memory
    window_start_tick: int  # older rows were folded into "opening" balances when the books closed


@dataclass(frozen=True, slots=True)
class QueryPair(Command):
    """How two people know each other; answered by ``PairReport``."""

    a: int = -1
    b: int = -1


@dataclass(frozen=True, slots=True)
class PairReport(Event):
    command_id: int
    a: int
    b: int
    label: str  # stranger | acquaintance | friend | close friend | rival | family
    affinity: float
    familiarity: float
    trust: float
    meetings: int
    last_tick: int  # -1: never met
    shared: int  # events both took part in
    history: tuple[tuple[int, str], ...] = ()  # (tick, what happened), newest first
    shared_facts: tuple[str, ...] = ()  # things both of them know

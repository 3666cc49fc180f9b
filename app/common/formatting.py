"""Words for numbers and events: one place for how the app talks about the world.

Pure functions over ``engine.contracts`` data (no Qt), shared by the map's
tooltips, the inspector, the event log and the timeline.
"""

from __future__ import annotations

import json

from engine.contracts import (
    Activity,
    ActivityStarted,
    Arrived,
    BuildingType,
    CommandApplied,
    CommandRejected,
    ConversationHeld,
    EditApplied,
    Event,
    LLMStatusChanged,
    PlanMade,
    ReflectionMade,
    RelationshipChanged,
    StaticWorld,
    WorldSaved,
    WorldSnapshot,
)
from engine.contracts.events import (
    ChatReply,
    ElectionHeld,
    FactHeard,
    FactSeeded,
    GatheringHeld,
    IncidentChanged,
    OutsideClaimed,
    OutsideDecided,
    PluginNews,
    PluginSwitchedOff,
    PolicyChanged,
    PropertySold,
    ProposalMade,
    VoteHeld,
    WorldEventHappened,
)

MINUTES_PER_DAY = 24 * 60
TRAITS = ("Openness", "Conscientiousness", "Extraversion", "Agreeableness", "Neuroticism")
NEEDS = ("Energy", "Hunger", "Social", "Fun")


def clock(minute_of_day: int) -> str:
    minute_of_day %= MINUTES_PER_DAY
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


def sim_time(tick: int, tick_seconds: int, start_minute: int = 6 * 60) -> str:
    """'Day 2 14:05' for a tick, given the clock the world runs on."""
    total = start_minute + tick * tick_seconds // 60
    return f"Day {total // MINUTES_PER_DAY + 1} {clock(total % MINUTES_PER_DAY)}"


def tick_time(snapshot: WorldSnapshot, tick: int, short: bool = False) -> str:
    """'Day 2 14:05' (or 'D2 14:05') for any tick, measured from the snapshot's own clock."""
    total = snapshot.sim_minute + (tick - snapshot.tick) * snapshot.tick_seconds // 60
    return f"{'D' if short else 'Day '}{total // MINUTES_PER_DAY + 1} {clock(total % MINUTES_PER_DAY)}"


def first_name(static: StaticWorld | None, index: int) -> str:
    return person_name(static, index).split(" ")[0]


def place_name(static: StaticWorld | None, index: int) -> str:
    return _place(static, index)


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def building_kind(kind: int) -> str:
    try:
        return BuildingType(kind).label
    except ValueError:
        return "building"


def hours_text(opens: int, closes: int) -> str:
    if closes - opens >= MINUTES_PER_DAY or (opens == 0 and closes in (0, MINUTES_PER_DAY)):
        return "open all day"
    return f"open {clock(opens)}–{clock(closes)}"


def activity_verb(value: int) -> str:
    try:
        return Activity(value).verb
    except ValueError:
        return "busy"


def person_name(static: StaticWorld | None, index: int) -> str:
    if static is not None and 0 <= index < len(static.people):
        return static.people[index].name
    return f"person {index}"


def _place(static: StaticWorld | None, index: int) -> str:
    if static is not None and 0 <= index < len(static.buildings):
        return static.buildings[index].name
    return "outdoors" if index < 0 else f"building {index}"


def describe_event(event: Event, static: StaticWorld | None) -> str:
    """One line for the event log."""
    if isinstance(event, ConversationHeld):
        first = event.opening  # the greeting alone: the rest stays unworded until someone opens the talk
        return f"{person_name(static, event.a)} and {person_name(static, event.b)} talked at {_place(static, event.building)}: “{first}”"
    if isinstance(event, Arrived):
        return f"{person_name(static, event.agent)} arrived at {_place(static, event.building)}"
    if isinstance(event, ActivityStarted):
        where = "" if event.building < 0 else f" at {_place(static, event.building)}"
        return f"{person_name(static, event.agent)} is {activity_verb(event.activity)}{where}"
    if isinstance(event, RelationshipChanged):
        return (f"{person_name(static, event.a)} and {person_name(static, event.b)} are now {event.label} "
                f"(affinity {event.affinity:+.2f})")
    if isinstance(event, CommandApplied):
        return f"Done: {event.summary}" if event.summary else "Done"
    if isinstance(event, CommandRejected):
        return f"Refused: {event.reason}"
    if isinstance(event, EditApplied):
        return f"God mode: {event.summary}"
    if isinstance(event, WorldSaved):
        return f"Saved to {event.path}"
    if isinstance(event, PlanMade):
        what = {"day": "planned the day", "hours": "planned the hours ahead", "actions": "planned the next hour"}
        first = event.summary.split(";")[0].strip()
        return f"{person_name(static, event.agent)} {what.get(event.grain, 'made a plan')}" + (f": {first}" if first else "")
    if isinstance(event, ReflectionMade):
        return f"{person_name(static, event.agent)} reflected: “{event.text}”"
    if isinstance(event, LLMStatusChanged):
        return f"Thinking: {event.message}" if event.message else f"Thinking is now {event.state}"
    return _describe_town_event(event, static) or event.kind


def district_name(static: StaticWorld | None, district: int) -> str:
    if static is not None:
        for d in static.districts:
            if d.id == district:
                return d.name
    return f"district {district}"


def _names(static: StaticWorld | None, people: tuple[int, ...]) -> str:
    names = [person_name(static, p) for p in people[:4]]
    return ", ".join(names) + (f" and {len(people) - 4} more" if len(people) > 4 else "")


def _describe_town_event(event: Event, static: StaticWorld | None) -> str:
    """Word of mouth, money, councils and god mode (empty when the event is none of these)."""
    if isinstance(event, FactSeeded):
        where = f" ({_place(static, event.building)})" if event.building >= 0 else ""
        return f"{person_name(static, event.origin)} starts telling people: “{event.text}”{where}"
    if isinstance(event, FactHeard):
        source = person_name(static, event.teller) if event.teller >= 0 else "the news"
        going = " — and means to go" if event.will_attend else ""
        return f"{person_name(static, event.listener)} heard it from {source} (fact {event.fact}){going}"
    if isinstance(event, GatheringHeld):
        return f"{len(event.attendees)} came to {_place(static, event.building)}: {_names(static, event.attendees)}"
    if isinstance(event, PropertySold):
        seller = person_name(static, event.seller) if event.seller >= 0 else "the district"
        return f"{person_name(static, event.buyer)} bought {_place(static, event.building)} from {seller} for {money(event.price)}"
    if isinstance(event, ProposalMade):
        who = person_name(static, event.proposer) if event.proposer >= 0 else "You"
        return f"{who} proposed to the {district_name(static, event.district)} council: {event.text}"
    if isinstance(event, VoteHeld):
        verdict = "passed" if event.passed else "voted down"
        return f"The {district_name(static, event.district)} council {verdict} proposal {event.proposal} " \
               f"({len(event.yes)}–{len(event.no)})"
    if isinstance(event, PolicyChanged):
        return f"{district_name(static, event.district)}: {event.text} now in force"
    if isinstance(event, ElectionHeld):
        return f"{district_name(static, event.district)} elected {_names(static, event.winners)} " \
               f"(turnout {event.turnout:.0%})"
    if isinstance(event, WorldEventHappened):
        return f"{event.text} — {len(event.witnesses)} people noticed"
    if isinstance(event, IncidentChanged):
        return event.text  # the engine tells the story: "Flames and smoke pour out of ..."
    if isinstance(event, ChatReply):
        return f"{person_name(static, event.agent)} answered you: “{event.reply}”"
    if isinstance(event, OutsideClaimed):
        driver = "you" if event.who == "player" else "an outside program"
        return f"{person_name(static, event.agent)} is now played by {driver}" if event.driven else \
            f"{person_name(static, event.agent)} lives on their own again"
    if isinstance(event, OutsideDecided):
        if event.status == "ok":
            kinds = ", ".join(_action_kinds(event.actions)) or "carry on"
            return f"{person_name(static, event.agent)} (played): {kinds}"
        return f"{person_name(static, event.agent)}: the rule brain decided ({event.reason})"
    if isinstance(event, PluginNews):
        return event.text  # the plugin's own words: "Market day at Willowmere Hall: 6 stalls ..."
    if isinstance(event, PluginSwitchedOff):
        return event.reason
    return ""


def _action_kinds(actions: str) -> list[str]:
    try:
        return [str(a.get("type", "?")).replace("_", " ") for a in json.loads(actions)]
    except (ValueError, AttributeError):
        return []


def event_people(event: Event) -> tuple[int, ...]:
    """The people an event is about (for jumping to them and per-person history)."""
    if isinstance(event, ConversationHeld | RelationshipChanged):
        return (event.a, event.b)
    if isinstance(event, Arrived | ActivityStarted | PlanMade | ReflectionMade | ChatReply | OutsideClaimed
                  | OutsideDecided):
        return (event.agent,)
    if isinstance(event, FactHeard):
        return (event.listener, event.teller) if event.teller >= 0 else (event.listener,)
    if isinstance(event, FactSeeded | ProposalMade):
        who = event.origin if isinstance(event, FactSeeded) else event.proposer
        return (who,) if who >= 0 else ()
    if isinstance(event, GatheringHeld):
        return event.attendees
    if isinstance(event, PropertySold):
        return tuple(p for p in (event.buyer, event.seller) if p >= 0)
    return ()


def event_building(event: Event) -> int:
    building = getattr(event, "building", -1)
    return int(building) if isinstance(building, int) else -1


EVENT_KINDS = ("ConversationHeld", "RelationshipChanged", "Arrived", "ActivityStarted", "CommandApplied",
               "CommandRejected", "WorldSaved", "PlanMade", "ReflectionMade", "LLMStatusChanged", "FactSeeded",
               "FactHeard", "GatheringHeld", "PropertySold", "ProposalMade", "VoteHeld", "PolicyChanged",
               "ElectionHeld", "WorldEventHappened", "IncidentChanged", "ChatReply", "EditApplied", "PluginNews",
               "PluginSwitchedOff")
EVENT_LABELS = {
    "ConversationHeld": "Conversations", "RelationshipChanged": "Relationships", "Arrived": "Arrivals",
    "ActivityStarted": "Activities", "CommandApplied": "Commands", "CommandRejected": "Refusals",
    "WorldSaved": "Saves", "PlanMade": "Plans", "ReflectionMade": "Reflections", "LLMStatusChanged": "Thinking status",
    "FactSeeded": "Rumours started", "FactHeard": "Word of mouth", "GatheringHeld": "Gatherings",
    "PropertySold": "Property sales", "ProposalMade": "Proposals", "VoteHeld": "Council votes",
    "PolicyChanged": "Policies", "ElectionHeld": "Elections", "WorldEventHappened": "World events",
    "IncidentChanged": "What happened next", "ChatReply": "Chats", "EditApplied": "God edits",
    "PluginNews": "Plugins", "PluginSwitchedOff": "Plugin errors",
}


def plan_words(snap: WorldSnapshot, person: int) -> str:
    """What someone is about now, in a sentence: "Working at The Copper Kettle until 17:00",
    "Walking to The Library", "Sleeping at home until 07:00"."""
    static = snap.static
    info = static.people[person]
    where, dest = int(snap.location[person]), int(snap.destination[person])
    doing = activity_verb(int(snap.activity[person]))
    if dest >= 0 and dest != where:
        return f"Walking to {place_name(static, dest)}"
    place = ""
    if where >= 0:
        place = " at home" if where == info.home and "home" not in doing else f" at {place_name(static, where)}"
    until = int(snap.until[person])
    soon = until - snap.tick < 7 * 24 * 3600 // max(1, snap.tick_seconds)  # "until" far off: no end planned
    end = f" until {clock(snap.minute_at(until))}" if soon and until > snap.tick else ""
    return f"{doing[:1].upper()}{doing[1:]}{place}{end}"

"""A mind without a model: answers in the Chat dock and reflections at day's end, from state and memory.

The answer follows the question: what was asked is matched against the keywords
in ``words/rule_mind.toml`` (a named person or place first), and answered from
what the person is doing, needs and plans, their ties, what they have heard
(word of mouth, the council, fires and festivals) and their memories.
"""

from __future__ import annotations

import re

from engine.agents.dice import Dice
from engine.agents.grammar import Grammar, load_rules, words_file
from engine.agents.population import ENERGY, FUN, HUNGER, SOCIAL
from engine.agents.talk import part_of_day
from engine.cognition.context import MindContext
from engine.cognition.mind import Mind, temperament
from engine.contracts.enums import Activity, BuildingType
from engine.contracts.events import ReflectionMade

WORDS = Grammar(load_rules(words_file(__file__, "rule_mind")))
ORDER = WORDS.rules["ask_order"]
NEED_NAMES = {ENERGY: "energy", HUNGER: "hunger", SOCIAL: "social", FUN: "fun"}
LOW = 0.4
REFLECT_RECENT = 60  # memories a rule-brain reflection looks back over
FRIEND_TALKS = 3  # this many talks with one person is worth a thought
RULE_THRESHOLD = 60.0  # importance gathered before a rule-brain reflection (about half a day of memories)
MIN_MEMORIES = 5


def rule_reply(ctx: MindContext, agent: int, text: str, memories: list[str], tick: int) -> str:
    """A plain answer to ``text`` from state, ties and memory (same words for the same moment)."""
    rng = Dice(tick, agent, len(text))
    facts = _facts(ctx, agent, tick)
    lowered = f" {text.lower()} "
    named = _named_person(ctx, agent, lowered)
    if named >= 0:
        return _about_person(ctx, agent, named, rng, facts, tick)
    place = _named_place(ctx, lowered)
    if place >= 0:
        return _about_place(ctx, agent, place, rng, facts)
    for topic in ORDER:
        if any(re.search(rf"\b{re.escape(word)}\b", lowered) for word in WORDS.rules[f"ask_{topic}"]):
            return _answer(ctx, agent, topic, rng, facts, tick)
    if memories:
        return WORDS.pick("say_fallback_memory", rng, {**facts, "memory": memories[0]})
    return WORDS.pick("say_fallback", rng, facts)


def _facts(ctx: MindContext, agent: int, tick: int) -> dict[str, str]:
    p = ctx.people[agent]
    pop = ctx.pop
    here = int(pop.location[agent])
    work = ctx.city.buildings[p.workplace].name if p.workplace >= 0 else ""
    return {
        "me": p.first_name, "full": p.name, "age": str(p.age), "occupation": p.occupation, "work": work,
        "job": f"{p.occupation} at {work}" if work else p.occupation, "home": ctx.city.buildings[p.home].name,
        "temper": temperament(p.traits), "town": ctx.city.name,
        "doing": Activity(int(pop.activity[agent])).verb,
        "place": ctx.city.buildings[here].name if here >= 0 else "out and about",
        "work_mood": "#say_work_tired#" if pop.needs[agent, ENERGY] < LOW else "#say_work_happy#",
        "part": part_of_day(ctx.clock.minute_of_day(tick)),
    }


def _answer(ctx: MindContext, agent: int, topic: str, rng: Dice, facts: dict[str, str], tick: int) -> str:
    p = ctx.people[agent]
    pop = ctx.pop
    if topic == "greeting":
        return WORDS.pick(f"say_greeting_{facts['part']}", rng, facts)
    if topic == "job":
        kind = "none" if p.workplace < 0 else "pupil" if p.is_pupil else "work"
        return WORDS.pick(f"say_job_{kind}", rng, facts)
    if topic == "doing":
        heading = int(pop.destination[agent])
        if pop.moving[agent] and heading >= 0:
            answer = WORDS.pick("say_doing_walking", rng, {**facts, "place": ctx.city.buildings[heading].name})
        elif int(pop.location[agent]) == p.home:
            answer = WORDS.pick("say_doing_home", rng, facts)
        else:
            answer = WORDS.pick("say_doing", rng, facts)
        outing = ctx.brain.routine.next_outing(agent, ctx.clock.day(tick), ctx.clock.minute_of_day(tick))
        if outing is not None:
            answer += WORDS.pick("say_doing_next", rng, {"next": ctx.brain.routine.words(outing)[0]})
        return answer
    if topic == "feeling":
        needs = pop.needs[agent]
        lowest = int(needs.argmin())
        return WORDS.pick(f"say_feeling_{NEED_NAMES[lowest]}" if needs[lowest] < LOW else "say_feeling_good", rng, facts)
    if topic == "plans":
        minute = ctx.clock.minute_of_day(tick)
        steps = [note for hour, _a, _b, note in ctx.brain.routine.day_plan(agent, ctx.clock.day(tick))
                 if hour * 60 + 59 >= minute]
        if not steps:
            return WORDS.pick("say_plans_none", rng, facts)
        return WORDS.pick("say_plans_some", rng, {**facts, "plan": ", then ".join(steps[:4])})
    if topic in ("family", "friends", "rivals"):
        return _people(ctx, agent, topic, rng, facts)
    if topic == "money":
        cents = int(pop.money[agent])
        kind = "debt" if cents < 0 else "tight" if cents < 5000 else "ok"
        return WORDS.pick(f"say_money_{kind}", rng, {**facts, "money": f"${abs(cents) / 100:,.2f}"})
    if topic in ("council", "news"):
        return _news(ctx, agent, topic, rng, facts, tick)
    return WORDS.pick(f"say_{topic}", rng, facts)


def _people(ctx: MindContext, agent: int, topic: str, rng: Dice, facts: dict[str, str]) -> str:
    ties = ctx.ties
    known: list[int] = sorted(ties.known_by(agent))
    if topic == "family":
        chosen = [o for o in known if ties.known_tie(agent, o).family]
    elif topic == "friends":
        chosen = [o for o in ties.closest(agent, 6) if ties.known_tie(agent, o).label in ("friend", "close friend")]
    else:
        chosen = [o for o in known if ties.known_tie(agent, o).label == "rival"]
    names = [ctx.people[o].first_name for o in chosen if not ctx.people[o].removed][:4]
    if not names:
        return WORDS.pick(f"say_{topic}_none", rng, facts)
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return WORDS.pick(f"say_{topic}_some", rng, {**facts, topic: listed, "family_mood": "#say_family_mood#"})


def _news(ctx: MindContext, agent: int, topic: str, rng: Dice, facts: dict[str, str], tick: int) -> str:
    society = ctx.brain.society
    if society is None:
        return WORDS.pick(f"say_{topic}_none", rng, facts)
    happened, heard = society.heard_of(agent)
    if topic == "news" and happened:
        event = happened[0][:1].lower() + happened[0][1:]
        return WORDS.pick("say_news_event", rng, {**facts, "event": event, "event_mood": "#say_event_mood#"})
    if topic == "council":
        heard = [f for f in heard if "council" in f.lower() or "vote" in f.lower()]
    if heard:
        group = "say_council_some" if topic == "council" else "say_news_fact"
        return WORDS.pick(group, rng, {**facts, "fact": heard[0], "opinion": "#say_opinion#"})
    return WORDS.pick(f"say_{topic}_none", rng, facts)


def _named_person(ctx: MindContext, agent: int, lowered: str) -> int:
    for other in ctx.people:
        if not other.removed and other.id != agent and f" {other.first_name.lower()}" in lowered:
            return other.id
    return -1


def _named_place(ctx: MindContext, lowered: str) -> int:
    named = [b for b in ctx.city.buildings if not b.removed and b.name.lower() in lowered]
    return max(named, key=lambda b: (len(b.name), -b.id)).id if named else -1


def _about_person(ctx: MindContext, agent: int, other: int, rng: Dice, facts: dict[str, str],
                  tick: int) -> str:
    name = ctx.people[other].first_name
    tie = ctx.ties.get(agent, other)
    if tie is None:
        return WORDS.pick("say_person_unknown", rng, {**facts, "name": name})
    if tie.family:
        return WORDS.pick("say_person_family", rng, {**facts, "name": name, "family_mood": "#say_family_mood#"})
    opinion = "#say_person_fond#" if tie.affinity > 0.5 else "#say_person_cold#" if tie.affinity < -0.2 else ""
    answer = WORDS.pick("say_person_tie", rng, {**facts, "name": name, "label": tie.label,
                                                "label_cap": tie.label.capitalize(), "opinion": opinion})
    if tie.last_tick >= 0:
        days = ctx.clock.day(tick) - ctx.clock.day(tie.last_tick)
        when = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
        answer += WORDS.pick("say_person_last", rng, {"when": when})
    return answer


def _about_place(ctx: MindContext, agent: int, place: int, rng: Dice, facts: dict[str, str]) -> str:
    society = ctx.brain.society
    b = ctx.city.buildings[place]
    if society is not None and society.burned(place):
        return WORDS.pick("say_place_fire", rng, {**facts, "place": b.name})
    if place == ctx.people[agent].workplace:
        return WORDS.pick("say_place_work", rng, facts)
    if place == ctx.people[agent].home:
        return WORDS.pick("say_home", rng, facts)
    mood = "#say_place_ok#" if b.type != BuildingType.HOME else "That's someone's home."
    return WORDS.pick("say_place_known", rng, {**facts, "place": b.name, "place_mood": mood})


# -- reflection ------------------------------------------------------------------------------


def due(ctx: MindContext, mind: Mind) -> bool:
    """Sooner than a model's reflection (whose threshold assumes a model's livelier importance scores)."""
    return mind.importance_since_reflection >= RULE_THRESHOLD and ctx.memory.count(mind.agent) >= MIN_MEMORIES


def reflect(ctx: MindContext, mind: Mind, tick: int) -> None:
    """Step back without a model: who they keep talking to, where they spend their time, what is on their mind.
    Each insight cites the memories it rests on, as a model's would."""
    recent = ctx.memory.recent(mind.agent, REFLECT_RECENT)
    mind.importance_since_reflection = 0.0
    mind.reflections += 1
    rng = Dice(tick, mind.agent)
    talks: dict[int, list[int]] = {}
    places: dict[int, list[int]] = {}
    events: list[tuple[int, str]] = []
    names = {p.name: p.id for p in ctx.people if not p.removed}
    buildings = [(b.name, b.id) for b in ctx.city.buildings if not b.removed]
    for m in recent:
        if m.kind == "conversation":
            for name, pid in names.items():
                if name in m.text and pid != mind.agent:
                    talks.setdefault(pid, []).append(m.id)
        if m.kind in ("event",) or (m.kind == "observation" and ("fire" in m.text or "festival" in m.text)):
            events.append((m.id, m.text))
        for name, bid in buildings:
            if name in m.text:
                places.setdefault(bid, []).append(m.id)
    insights: list[tuple[str, tuple[int, ...]]] = []
    if events:
        ident, text = events[0]
        insights.append((WORDS.pick("reflect_event", rng, {"event": text.rstrip(".")}), (ident,)))
    friends = sorted(((len(ids), -pid, pid) for pid, ids in talks.items() if len(ids) >= FRIEND_TALKS), reverse=True)
    if friends:
        _n, _neg, pid = friends[0]
        tie = ctx.ties.get(mind.agent, pid)
        group = "reflect_family" if tie is not None and tie.family else "reflect_friend"
        insights.append((WORDS.pick(group, rng, {"name": ctx.people[pid].first_name,
                                                            "count": str(len(talks[pid]))}), tuple(sorted(talks[pid]))))
    if places:
        bid = max(places, key=lambda b: (len(places[b]), -b))
        if bid != ctx.people[mind.agent].home:
            insights.append((WORDS.pick("reflect_place", rng, {"place": ctx.city.buildings[bid].name}),
                             tuple(sorted(places[bid]))[:10]))
    for text, evidence in insights:
        memory_id = ctx.remember(mind.agent, "reflection", text, tick, evidence=evidence)
        ctx.events.append(ReflectionMade(tick, mind.agent, memory_id, text, evidence))

"""On the rule brain, someone you talk to answers the question you asked, from their own life."""

from __future__ import annotations

from engine.cognition.chat import rule_reply
from engine.contracts.edits import InjectEvent
from engine.edits.apply import apply
from tests.life.conftest import building, run, village


def ask(sim, agent: int, text: str) -> str:  # type: ignore[no-untyped-def]
    ctx = sim.cognition.ctx
    return rule_reply(ctx, agent, text, ctx.recall(agent, text, sim.tick), sim.tick)


def test_answers_follow_the_question():
    sim = village()
    run(sim, 3 * 60)
    daniel = next(p for p in sim.people if p.first_name == "Daniel")
    work = sim.city.buildings[daniel.workplace].name
    assert work in ask(sim, daniel.id, "What do you do for work?")
    family = [sim.people[o].first_name for o in sim.ties.known_by(daniel.id) if sim.ties.get(daniel.id, o).family]
    answer = ask(sim, daniel.id, "Tell me about your family")
    assert family and all(name in answer for name in family)
    assert "$" in ask(sim, daniel.id, "How much money do you have?")
    assert daniel.name in ask(sim, daniel.id, "Who are you?")
    plan = sim.brain.routine.day_plan(daniel.id, sim.clock.day(sim.tick))
    later = [note for hour, _a, _b, note in plan if hour * 60 + 59 >= sim.clock.minute_of_day(sim.tick)]
    assert later[0] in ask(sim, daniel.id, "What are your plans today?")
    other = sim.people[sim.ties.closest(daniel.id, 1)[0]]
    assert other.first_name in ask(sim, daniel.id, f"What do you think of {other.first_name}?")
    hour = ask(sim, daniel.id, "Hello!")  # at 09:00: a morning greeting, never an evening one
    assert "evening" not in hour.lower()


def test_news_of_a_fire_is_what_they_talk_about():
    sim = village()
    run(sim, 6 * 60)
    kettle = sim.city.buildings[building(sim, "The Copper Kettle")]
    x, y = kettle.footprint.centre
    (_s, _i, _e), _events = apply(sim, InjectEvent(text="A fire breaks out at The Copper Kettle", x=int(x), y=int(y),
                                                   radius=10))
    run(sim, 60)
    knows = next(p for p in range(len(sim.people)) if sim.society.incidents.knows(p, 0))
    assert "fire" in ask(sim, knows, "Any news?").lower()
    assert "burn" in ask(sim, knows, "What about The Copper Kettle?").lower() \
        or "fire" in ask(sim, knows, "What about The Copper Kettle?").lower()

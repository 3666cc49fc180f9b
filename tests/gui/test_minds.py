"""The inspector's mind tabs against the real engine thinking on the fake model (no network).

Each test opens the village with ``brain="fake"`` and the hashing embedder, runs
some ticks at full speed, selects someone and reads what the tabs show.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QFontInfo

from app.thinking.llm_settings import LLMSettings
from engine.contracts import Watch

from .conftest import run_ticks, wait_until

FAKE = LLMSettings(brain="fake")


def _show(controller, tab) -> None:  # type: ignore[no-untyped-def]
    tabs = controller.window.inspector.person_tabs
    tabs.setCurrentWidget(tab)
    wait_until(tab.isVisible, 5, f"the {tab.title} tab to show")


def test_plan_tab_shows_todays_plan_and_selecting_watches(open_controller, worlds) -> None:  # type: ignore[no-untyped-def]
    controller = open_controller(worlds["village"], llm=FAKE)
    sent: list[object] = []
    query = controller.bridge.query
    controller.bridge.query = lambda command: (sent.append(command), query(command))[1]
    controller.selection.select_person(1)
    controller.selection.select_person(0)
    watches = [(c.agent, c.watched) for c in sent if isinstance(c, Watch)]
    assert watches == [(1, True), (1, False), (0, True)]
    plan = controller.window.inspector.person_tabs.plan
    _show(controller, plan)
    run_ticks(controller, 60)
    static = controller.bridge.latest.static
    wait_until(lambda: plan.report is not None and plan.report.strokes, 20, "a plan for the day")
    text = plan.view.toPlainText()
    assert "Today in broad strokes" in text and "Hour by hour" in text
    places = {static.buildings[s.place].name for s in plan.report.strokes if s.place >= 0}
    assert places and any(name in text for name in places)
    assert "Not planned yet" not in text.split("Hour by hour")[0]
    assert plan.doing.text().startswith(static.people[0].name.split()[0])


def test_thoughts_tab_shows_prompt_and_answer(open_controller, worlds) -> None:  # type: ignore[no-untyped-def]
    controller = open_controller(worlds["village"], llm=FAKE)
    controller.selection.select_person(2)
    thoughts = controller.window.inspector.person_tabs.thoughts
    _show(controller, thoughts)
    run_ticks(controller, 60)
    thoughts.tick_refresh()
    # (the last row is always the rule brain's reasoning for the day; the model's thoughts come first)
    wait_until(lambda: thoughts.list.count() > 1, 20, "the first thought")
    thoughts.list.setCurrentRow(0)
    text = thoughts.text.toPlainText()
    first = thoughts.selected()
    assert first is not None and first.backend == "fake" and first.status == "ok"
    assert "──── prompt ────" in text and "──── answer ────" in text
    assert "[system]" in text and first.kind in text and "tokens" in text
    assert "{" in text.split("──── answer ────")[1]  # the JSON answer, pretty-printed
    assert QFontInfo(thoughts.text.font()).fixedPitch()
    assert first.kind in thoughts.list.item(0).text() and "fake" in thoughts.list.item(0).text()


def test_memories_tab_browses_searches_and_ranks(open_controller, thinking_world) -> None:  # type: ignore[no-untyped-def]
    controller = open_controller(thinking_world[0], llm=FAKE)
    controller.selection.select_person(5)
    memories = controller.window.inspector.person_tabs.memories
    _show(controller, memories)
    wait_until(lambda: memories.result is not None and memories.proxy.rowCount() > 0, 20, "memories")
    total = memories.total
    texts = memories.visible_texts()
    assert total >= 6 and len(texts) == min(total, memories.page_size)
    assert memories.count.text().startswith(f"{total} memories")
    ticks = [r.tick for r in memories.result.memories]
    assert ticks == sorted(ticks, reverse=True)  # newest first

    # Paging: five at a time.
    memories.page_size = 5
    memories.poke()
    wait_until(lambda: memories.proxy.rowCount() == 5, 10, "a page of five")
    first_page = memories.visible_texts()
    assert "1–5" in memories.count.text() and memories.older.isEnabled() and not memories.newer.isEnabled()
    memories.older.click()
    wait_until(lambda: "6–10" in memories.count.text(), 10, "the second page")
    assert memories.visible_texts() != first_page and memories.newer.isEnabled()

    # Word search: pick a word some memories have and others lack.
    words = {w.strip(".,:;!?“”\"'").lower() for t in texts for w in t.split() if len(w) > 4}
    word = next(w for w in sorted(words) if 0 < sum(w in t.lower() for t in texts) < len(texts))
    memories.search.setText(word)
    wait_until(lambda: memories.result.query == word, 10, "the search answer")
    found = memories.visible_texts()
    assert found and all(word in t.lower() for t in found)
    assert len(found) < total and f"found for “{word}”" in memories.count.text()
    assert not memories.older.isEnabled()

    # Semantic: the same box, ranked by retrieval score.
    memories.semantic.setChecked(True)
    memories.search.setText("fresh bread at the bakery")
    wait_until(lambda: memories.result.semantic and memories.result.query == "fresh bread at the bakery", 10,
               "the semantic answer")
    scores = [m.score for m in memories.result.memories]
    assert scores and scores == sorted(scores, reverse=True) and scores[0] > 0
    assert not memories.table.isColumnHidden(5) and memories.count.text().startswith("Best")
    memories.table.selectRow(0)
    assert "score" in memories.detail.toPlainText()


def test_reflections_link_to_their_evidence(open_controller, thinking_world) -> None:  # type: ignore[no-untyped-def]
    path, reflected = thinking_world
    event = next(e for e in reflected if e.evidence)
    controller = open_controller(path, llm=FAKE)
    controller.selection.select_person(event.agent)
    tab = controller.window.inspector.person_tabs.reflections
    _show(controller, tab)
    wait_until(lambda: any(r.id == event.memory_id for r in tab.reflections), 20, "the reflection listed")
    assert event.text in tab.cards.toPlainText()
    assert all(r.kind == "reflection" for r in tab.reflections)
    cited = event.evidence[-1]
    tab.cards.anchorClicked.emit(QUrl(f"ev-{event.memory_id}-{cited}"))
    known = controller.window.inspector.person_tabs.feed.memories[event.agent]
    wait_until(lambda: cited in known, 20, "the cited memory to be looked up")
    wait_until(lambda: known[cited].text in tab.evidence.toPlainText(), 5, "the evidence shown")
    assert tab.focus == (event.memory_id, cited)
    assert event.text in tab.evidence.toPlainText()

"""The society in the window: economy and governance docks, word of mouth, the social graph's upgrades.

Pure tests feed hand-made views to the docks' formatting; the window tests drive a live
village (the engine really answers: ledger pages, proposals, undo, pair reports).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from app.docks.economy import headline, ledger_rows
from app.docks.graph_layout import CORNER_PEOPLE, TOP_PEOPLE, TOP_TIES, GraphRequest, choose_ties, compute_layout
from app.docks.policy_dialog import PolicyDialog, RumourDialog
from app.docks.social_graph import LONER, pair_report_html
from app.docks.society_words import fact_when, policy_value_text, share_text, to_engine
from app.docks.tables import Cell, fill_table, make_table
from engine.contracts.edits import SeedFact, SetThoughtEconomy
from engine.contracts.society import (
    Account,
    EconomyView,
    FactView,
    LedgerResult,
    PairReport,
    TransactionView,
)

from .conftest import run_ticks, wait_until

# -- pure: formatting and the worker's maths ------------------------------------------------------


def test_headline_and_ledger_words() -> None:
    view = EconomyView(version=3, gdp=123456, gini=0.4321, transactions=9876, money_supply=5_000_000,
                       treasuries=((0, 100),), businesses=(), properties=(), in_debt=2)
    words = headline(view, 25)
    assert words == {"GDP (last day)": "$1,234.56", "Gini": "0.43", "Money held by people": "$50,000.00",
                     "Transactions": "9,876", "People in debt": "2 of 25"}
    row = TransactionView(7, 40, "wage", Account("building", 2), Account("person", 3), 9216, "The Daily Grind",
                          "Nico Petrov")
    rows = ledger_rows(LedgerResult(40, 1, (row,), 1, 0), None)
    assert [c.text for c in rows[0]] == ["40", "wage", "The Daily Grind", "Nico Petrov", "$92.16"]


def test_policy_units_round_trip() -> None:
    assert to_engine("tax_rate", 12) == 0.12
    assert to_engine("minimum_wage", 18) == 1800
    assert to_engine("curfew", 22 * 60) == 1320 and to_engine("curfew", -1) == -1
    assert to_engine("park_funding", 500) == 50000
    assert to_engine("opening_hours", -60) == -60
    assert policy_value_text("tax_rate", 0.12) == "12 %"
    assert policy_value_text("minimum_wage", 1800) == "$18.00/h"
    assert policy_value_text("curfew", 1320) == "22:00" and policy_value_text("curfew", -1) == "none"
    assert policy_value_text("opening_hours", 60) == "+60 min later"
    assert share_text(21, 50) == "42% (21 of 50)"


def test_event_fact_times() -> None:
    clock = {100: "D2 17:00", 160: "D2 18:00"}.__getitem__
    party = FactView(1, "Party at the cafe at 5pm", 3, "event", 40, 9, building=2, start_tick=100, end_tick=160,
                     attended=4)
    assert fact_when(party, clock) == "D2 17:00 – 18:00"
    assert fact_when(FactView(2, "news", 3, "news", 40, 1), clock) == ""


def test_graph_filters_communities_and_centrality() -> None:
    # Two tight friend groups joined by one weak tie, one rivalry, and a loner.
    a = np.array([0, 0, 1, 3, 3, 4, 2, 1])
    b = np.array([1, 2, 2, 4, 5, 5, 3, 5])
    aff = np.array([0.9, 0.8, 0.85, 0.9, 0.8, 0.85, 0.1, -0.7], dtype=np.float32)
    layout = compute_layout(GraphRequest(7, a, b, aff))
    groups = {int(c) for c in layout.communities if c >= 0}
    assert len(groups) == 2 and layout.communities[6] == -1
    assert layout.communities[0] == layout.communities[1] != layout.communities[3]
    assert layout.centrality.max() == 1.0 and layout.centrality[6] == 0
    strong = compute_layout(GraphRequest(7, a, b, aff, min_strength=0.5))
    assert len(strong.edges) == len(layout.edges) - 1 and strong.shown_ties == 7
    rivals = compute_layout(GraphRequest(7, a, b, aff, label="rivals"))
    assert len(rivals.edges) == 1 and rivals.affinity[0] < 0
    district = compute_layout(GraphRequest(7, a, b, aff, members=np.array([0, 1, 2])))
    assert sorted(district.nodes.tolist()) == [0, 1, 2] and len(district.edges) == 3
    between = compute_layout(GraphRequest(7, a, b, aff, centrality="betweenness"))
    bridges = {int(between.nodes[i]) for i in np.flatnonzero(between.centrality == 1.0)}
    assert bridges <= {1, 2, 3, 5}  # the people on the paths between the groups


def test_a_big_towns_picture_is_its_best_knit_corners_not_a_ring_of_couples() -> None:
    """A big town's strongest ties are couples: shown alone they were hundreds of separate pairs. With nobody
    selected the picture grows a few corners of the town along their strongest ties instead, each connected,
    under 500 people (past that networkx lays out with a Python loop per node, holding the GIL for seconds)."""
    rng = np.random.default_rng(3)
    people = 10_000
    couples = np.arange(0, people, 2)
    a = np.concatenate([couples, rng.integers(0, people, 40_000)])
    b = np.concatenate([couples + 1, (a[len(couples):] + rng.integers(1, 300, 40_000)) % people])
    aff = np.concatenate([np.full(len(couples), 0.9), rng.uniform(-0.5, 0.6, 40_000)]).astype(np.float32)
    mode, ties = choose_ties(GraphRequest(people, a, b, aff))
    shown = np.unique(np.concatenate([a[ties], b[ties]]))
    assert mode == "top" and 0 < len(ties) <= TOP_TIES and len(shown) == TOP_PEOPLE
    graph = nx.Graph(list(zip(a[ties].tolist(), b[ties].tolist(), strict=True)))
    corners = list(nx.connected_components(graph))
    assert len(corners) <= TOP_PEOPLE // CORNER_PEOPLE, "a few corners, not a ring of pairs"
    assert (aff[ties] > 0).sum() >= len(shown) - TOP_PEOPLE // CORNER_PEOPLE, "corners grow along friendly ties"
    weights = np.bincount(np.concatenate([a, b]), weights=np.maximum(np.concatenate([aff, aff]), 0), minlength=people)
    assert int(np.argmax(weights)) in shown, "the first corner starts from the strongest-tied person"
    layout = compute_layout(GraphRequest(people, a, b, aff))
    assert len(layout.nodes) == len(shown) and len(layout.edges) == len(ties)


def test_pair_report_words() -> None:
    report = PairReport(10, 1, 0, 4, "friend", 0.79, 0.45, 0.2, 3, -1, 1, ((5, "talked <at> the cafe"),),
                        ("The fair is on",))
    text = pair_report_html(report, None)
    assert "friend" in text and "+0.79" in text and "never" in text and "&lt;at&gt;" in text
    assert "The fair is on" in text


def test_tables_refill_only_on_change(app_qt) -> None:  # type: ignore[no-untyped-def]
    table = make_table(("Name", "Money"))
    rows = [(Cell("Ann", data=1), Cell("$5.00", 500)), (Cell("Bob", data=2), Cell("$20.00", 2000))]
    assert fill_table(table, rows)
    assert not fill_table(table, list(rows))  # nothing changed: the table is left alone
    table.sortItems(1, Qt.SortOrder.DescendingOrder)
    assert table.item(0, 0).text() == "Bob"  # sorted by value, not by text ("$20" < "$5" as text)
    rows[0] = (Cell("Ann", data=1), Cell("$50.00", 5000))
    assert fill_table(table, rows)
    assert table.item(0, 0).text() == "Ann"  # the sort order survives a refill


# -- the live window --------------------------------------------------------------------------------


def _society(controller):  # type: ignore[no-untyped-def]
    return controller.bridge.latest.society


def _undo(controller) -> None:  # type: ignore[no-untyped-def]
    from pytestqt.qtbot import QtBot

    window = controller.window
    window.activateWindow()
    window.map_view.host.setFocus()
    QApplication.processEvents()
    QtBot.keyClick(window.map_view.host, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_economy_dock_numbers_ledger_and_thought_economy(controller) -> None:  # type: ignore[no-untyped-def]
    run_ticks(controller, 900)
    dock = controller.society.economy
    controller.society.economy_dock.raise_()
    wait_until(lambda: _society(controller) is not None and _society(controller).economy.gdp > 0, 20, "some GDP")
    wait_until(lambda: dock.view is not None and dock.view.version == _society(controller).economy.version, 10,
               "the economy dock to catch up")
    gdp = dock.numbers["GDP (last day)"].text()
    assert gdp not in ("—", "$0.00") and gdp.startswith("$")
    # Tables fill when their tab is shown.
    assert dock.businesses.rowCount() == 0
    dock.tabs.setCurrentWidget(dock.businesses)
    assert dock.businesses.rowCount() == len(dock.view.businesses) > 0
    # The people table: searchable, and a click selects on the map.
    dock.tabs.setCurrentWidget(dock.people_page)
    assert dock.people.rowCount() == len(controller.bridge.latest.static.people)
    name = controller.bridge.latest.static.people[5].name
    dock.people_search.setText(name)
    shown = [r for r in range(dock.people.rowCount()) if not dock.people.isRowHidden(r)]
    assert [dock.people.item(r, 0).text() for r in shown] == [name]
    dock.people_search.clear()
    person = int(dock.people.item(0, 0).data(Qt.ItemDataRole.UserRole))
    dock.people.cellClicked.emit(0, 0)
    assert controller.selection.person == person
    # The ledger, filtered by kind: only wages.
    dock.tabs.setCurrentIndex(dock.tabs.count() - 1)
    dock.kind_filter.setCurrentIndex(dock.kind_filter.findData("wage"))
    wait_until(lambda: dock.ledger is not None and dock.ledger_kinds() == {"wage"}, 10, "a page of wages")
    assert dock.ledger.total >= dock.ledger_table.rowCount() > 0
    ticks = [row.tick for row in dock.ledger.rows]
    assert ticks == sorted(ticks, reverse=True)  # newest first
    dock.kind_filter.setCurrentIndex(0)
    wait_until(lambda: dock.ledger is not None and len(dock.ledger_kinds()) > 1, 10, "every kind again")
    # The timeline offers the new city-wide curves on its right axis.
    timeline = controller.window.timeline
    wait_until(lambda: timeline.right_curve.findData("gdp") >= 0, 10, "GDP to be offered")
    timeline.right_curve.setCurrentIndex(timeline.right_curve.findData("gdp"))
    snap = controller.bridge.latest
    gdp_column = snap.metric_samples[:, snap.metric_columns.index("gdp")]
    _xs, ys = timeline.money_curve.getData()
    assert ys is not None and np.allclose(ys[: len(gdp_column)], gdp_column[: len(ys)])


def test_governance_councils_propose_and_undo(controller) -> None:  # type: ignore[no-untyped-def]
    run_ticks(controller, 300)
    dock = controller.society.governance
    assert dock.view is None  # tabbed away behind the inspector: it does no work
    controller.society.governance_dock.raise_()
    wait_until(lambda: _society(controller) is not None and dock.view is not None
               and dock.view.version == _society(controller).governance.version, 20, "the councils")
    councils = _society(controller).governance.councils
    shown = dock.council_members()
    assert shown == {c.district: list(c.members) for c in councils} and all(shown.values())
    # Clicking a councillor selects them.
    top = dock.councils.topLevelItem(0)
    member = top.child(0).child(0)
    dock.councils.itemClicked.emit(member, 0)
    assert controller.selection.person == councils[0].members[0]
    # Propose through the dialog: the engine tables it, Ctrl+Z withdraws it.
    before = {p.id for p in _society(controller).governance.proposals}
    dock.propose.click()
    dialog = dock.findChild(PolicyDialog)
    assert dialog is not None and not dialog.decree
    dialog.choose(councils[0].district, "tax_rate", 17, "The roads need mending")
    shown_council = next(c for c in dock.view.councils if c.district == councils[0].district)
    assert dialog.now.text() == next(p.text for p in shown_council.policies if p.name == "tax_rate")
    dialog.accept()

    def new_open():  # type: ignore[no-untyped-def]
        return [p for p in _society(controller).governance.proposals if p.id not in before and p.state == "open"]

    wait_until(new_open, 10, "the new proposal")
    proposal = new_open()[0]
    assert proposal.policy == "tax_rate" and abs(proposal.value - 0.17) < 1e-6 and proposal.proposer == -1
    assert proposal.reason == "The roads need mending"
    # The news line above the tabs has it, among the thousands of events of the same batches.
    wait_until(lambda: "You proposed to the" in dock.news.text(), 10, "the proposal in the news line")
    wait_until(lambda: proposal.id in dock.open_proposal_ids(), 10, "the proposal in the open table")
    _undo(controller)
    wait_until(lambda: not new_open(), 10, "Ctrl+Z to withdraw it")
    wait_until(lambda: proposal.id not in dock.open_proposal_ids(), 10, "the open table to drop it")
    # ...and so does the Withdraw button, on the proposal selected in the open table.
    dock.propose.click()
    again = next(d for d in dock.findChildren(PolicyDialog) if d.isVisible())
    on_agenda = {p.policy for p in _society(controller).governance.proposals
                 if p.state == "open" and p.district == councils[0].district}
    policy, shown, value = next(choice for choice in (("park_funding", 750, 75000), ("school_funding", 750, 75000),
                                                      ("opening_hours", 90, 90)) if choice[0] not in on_agenda)
    again.choose(councils[0].district, policy, shown, "Something for everyone")
    again.accept()
    wait_until(lambda: new_open() and new_open()[0].id in dock.open_proposal_ids(), 10, "the second proposal")
    second = new_open()[0]
    assert second.policy == policy and second.value == value
    assert not dock.withdraw.isEnabled()
    dock.open_table.selectRow(dock.open_proposal_ids().index(second.id))
    assert dock.withdraw.isEnabled()
    dock.withdraw.click()
    wait_until(lambda: not new_open(), 10, "the Withdraw button to withdraw it")
    # A decree sets a policy at once (a curfew typed as a time of day); Ctrl+Z restores the old value.
    district = councils[0].district

    def curfew() -> float:
        council = next(c for c in _society(controller).governance.councils if c.district == district)
        return next(p.value for p in council.policies if p.name == "curfew")

    old = curfew()
    dock.decree.click()
    decree = next(d for d in dock.findChildren(PolicyDialog) if d.isVisible())
    assert decree.decree
    decree.choose(district, "curfew", 21 * 60 + 30)
    decree.accept()
    wait_until(lambda: curfew() == 21 * 60 + 30, 10, "the curfew decree")
    wait_until(lambda: "21:30" in dock.councils.topLevelItem(0).child(2).child(2).text(0), 10,
               "the council's policies to say so")
    _undo(controller)
    wait_until(lambda: curfew() == old, 10, "Ctrl+Z to lift it")


def _recording(widget):  # type: ignore[no-untyped-def]
    """Record the edits a dock sends (and still send them on to the engine)."""
    sent: list[object] = []
    forward = widget.send_edit

    def send(edit):  # type: ignore[no-untyped-def]
        sent.append(edit)
        return forward(edit)

    widget.send_edit = send
    return sent


def _applied_or_skip(controller, done, what: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until ``done()``; an engine that has no handler for the edit yet skips the engine half of the test."""
    refused: list[str] = []
    controller.history.rejected.connect(refused.append)
    wait_until(lambda: done() or refused, 10, what)
    if refused and refused[0].startswith("unknown edit"):
        pytest.skip(f"the engine refuses it: {refused[0]}")
    assert not refused, refused
    assert done()


def test_thought_economy_switch_sends_the_edit(controller) -> None:  # type: ignore[no-untyped-def]
    run_ticks(controller, 60)
    dock = controller.society.economy
    controller.society.economy_dock.raise_()
    wait_until(lambda: dock.view is not None, 10, "the economy dock")
    sent = _recording(dock)
    dock.thought_price.setValue(75)
    dock.thought_box.click()
    assert [(type(e), e.enabled, e.price) for e in sent] == [(SetThoughtEconomy, True, 75)]
    _applied_or_skip(controller, lambda: _society(controller).economy.thought_economy, "the thought economy")
    assert _society(controller).economy.thought_price == 75
    wait_until(lambda: dock.view.thought_economy, 10, "the dock to show it")
    assert dock.thought_box.isChecked()


def test_start_a_rumour(controller) -> None:  # type: ignore[no-untyped-def]
    run_ticks(controller, 60)
    dock = controller.society.governance
    controller.society.governance_dock.raise_()
    wait_until(lambda: dock.view is not None, 10, "the governance dock")
    speaker = 3
    controller.selection.select_person(speaker)
    tab = dock.word_of_mouth
    dock.tabs.setCurrentWidget(tab)
    sent = _recording(tab)
    tab.rumour.click()
    rumour = tab.findChild(RumourDialog)
    assert rumour is not None and rumour.speaker.currentData() == speaker  # the selected person says it
    assert not rumour.ok.isEnabled()  # nothing to say yet
    rumour.words.setPlainText("The baker is secretly a duke")
    rumour.accept()
    assert [(type(e), e.agent, e.text) for e in sent] == [(SeedFact, speaker, "The baker is secretly a duke")]

    def planted():  # type: ignore[no-untyped-def]
        return next((f for f in _society(controller).facts if f.text == "The baker is secretly a duke"), None)

    _applied_or_skip(controller, planted, "the rumour to be planted")
    fact = planted()
    assert fact.origin == speaker and fact.knowers >= 1
    table = tab.table
    wait_until(lambda: any(table.item(r, 0).text() == fact.text for r in range(table.rowCount())), 10,
               "the rumour in the word-of-mouth table")


def _laid_out(graph, after: object = None) -> bool:  # type: ignore[no-untyped-def]
    data = graph.layout_data
    return data is not None and data is not after and len(data.edges) > 0


def test_social_graph_communities_filters_and_pair_report(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    run_ticks(controller, 900)
    graph = controller.window.graph
    graph.set_filters(min_strength=0.0)
    wait_until(lambda: _laid_out(graph) and graph.layout_data.version == controller.bridge.latest.relationships.version,
               30, "the graph layout")
    colours = {c for c in graph.node_colours() if c != LONER}
    assert len(colours) >= 2, "communities are coloured"
    assert graph.most_central() and "Most central" in graph.central.text()
    # The strength slider drops the weak ties.
    full = graph.layout_data
    cut = float(np.median(np.abs(full.affinity))) + 1e-3
    graph.strength.setValue(round(cut * 100 + 0.5))
    wait_until(lambda: _laid_out(graph, full) or (graph.layout_data is not full and graph.layout_data is not None),
               30, "the filtered layout")
    filtered = graph.layout_data
    assert len(filtered.edges) < len(full.edges)
    assert (np.abs(filtered.affinity) >= graph.strength.value() / 100 - 1e-6).all()
    graph.strength.setValue(0)
    wait_until(lambda: graph.layout_data is not filtered and len(graph.layout_data.edges) == len(full.edges), 30,
               "all ties again")
    # Click an edge: the engine reports on the pair. (Floated and enlarged, as a user would to read it.)
    dock = controller.window.docks["graph"]
    dock.setFloating(True)
    dock.resize(640, 640)
    qtbot.waitExposed(dock)
    wait_until(lambda: graph.plot.height() > 400, 5, "the graph to grow")
    data, plot = graph.layout_data, graph.plot
    target = None
    for x, y in data.edges:
        a, b = int(data.nodes[x]), int(data.nodes[y])
        mx, my = graph.edge_midpoint(a, b)
        scene = plot.plotItem.vb.mapViewToScene(QPointF(mx, my))
        if graph.edge_at(scene.x(), scene.y()) == (a, b):
            target = (a, b, plot.mapFromScene(scene))
            break
    assert target is not None, "an edge whose middle is clear of other people"
    a, b, point = target
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=point)
    wait_until(lambda: graph.pair_report is not None, 10, "the pair report")
    report = graph.pair_report
    assert {report.a, report.b} == {a, b}
    static = controller.bridge.latest.static
    text = graph.pair_panel.toPlainText()
    assert static.people[a].name in text and static.people[b].name in text and report.label in text
    assert graph.pair_panel.isVisible()


def test_social_graph_district_and_label_filters_on_a_town(open_controller, worlds) -> None:  # type: ignore[no-untyped-def]
    controller = open_controller(worlds["town"])
    run_ticks(controller, 300)
    graph, static = controller.window.graph, controller.bridge.latest.static
    assert graph.layout_data is None  # tabbed away: a big town's first layout waits until it is shown
    controller.window.docks["graph"].raise_()
    wait_until(lambda: _laid_out(graph), 30, "the town's graph")
    assert graph.layout_data.mode == "top"  # too many people to lay out everyone
    # A refresh of the best-knit corners moves only the newcomers, and keeps the user's zoom: the picture was
    # laid out afresh every time, and jumped every few seconds while the town ran.
    wait_until(lambda: graph._future.done() and graph.layout_data is graph._future.result(), 30, "no layout under way")
    old = graph.layout_data
    before = {int(n): tuple(xy) for n, xy in zip(old.nodes, old.pos, strict=True)}
    graph.plot.plotItem.vb.scaleBy((0.5, 0.5))
    zoomed = graph.plot.plotItem.vb.viewRange()
    for _ in range(6):  # the town's best-knit corners change slowly: until someone new is among them
        run_ticks(controller, 120)
        graph._request()  # unless the dock asked for one itself as the ties changed
        wait_until(lambda old=old: _laid_out(graph, old), 30, "the refreshed graph")
        data = old = graph.layout_data
        kept = [int(n) for n in data.nodes if int(n) in before]
        if len(kept) < len(data.nodes):
            break
    assert data.mode == "top" and 0.8 * len(data.nodes) <= len(kept) < len(data.nodes), "a few newcomers"
    after = {int(n): tuple(xy) for n, xy in zip(data.nodes, data.pos, strict=True)}
    assert all(after[n] == before[n] for n in kept), "everyone already shown stays where they were"
    assert graph.plot.plotItem.vb.viewRange() == zoomed, "the user's zoom kept"
    district = static.districts[0]
    hoods = {hid for hid, _name in district.neighbourhoods}
    old = graph.layout_data
    graph.district.setCurrentIndex(graph.district.findData(district.id))
    wait_until(lambda: _laid_out(graph, old), 30, "the district's graph")
    data = graph.layout_data
    assert data.mode == "all"  # one district is small enough to show whole
    assert all(static.buildings[static.people[int(p)].home].neighbourhood in hoods for p in data.nodes)
    old = data
    graph.show_label.setCurrentIndex(graph.show_label.findData("friends"))
    wait_until(lambda: _laid_out(graph, old), 30, "friends only")
    assert (graph.layout_data.affinity > 0).all() and len(graph.layout_data.edges) <= len(old.edges)


def test_the_event_log_words_the_society() -> None:
    from app.common.formatting import describe_event, event_people
    from engine.contracts.events import ElectionHeld, FactHeard, GatheringHeld, PropertySold, VoteHeld

    assert describe_event(FactHeard(5, 0, 2, 1, True), None) == \
        "person 2 heard it from person 1 (fact 0) — and means to go"
    assert describe_event(GatheringHeld(9, 0, 3, (1, 2)), None) == "2 came to building 3: person 1, person 2"
    assert "for $1,234.00" in describe_event(PropertySold(9, 4, -1, 7, 123_400), None)
    assert "voted down proposal 3 (1–2)" in describe_event(VoteHeld(9, 3, 0, False, (1,), (2, 4)), None)
    assert "turnout 50%" in describe_event(ElectionHeld(9, 0, (1, 2), ((1, 3), (2, 2)), 0.5), None)
    assert event_people(FactHeard(5, 0, 2, 1)) == (2, 1)

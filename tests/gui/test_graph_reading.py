"""A social graph people can read: the selected person's circle by default, the whole town on
request, a name search, names that never overlap, a picture that stays put and is not squashed
by people with no ties."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QApplication

from app.docks.graph_labels import clear_labels, label_box
from app.docks.graph_layout import GraphRequest, compute_layout
from tests.gui.conftest import run_ticks, wait_until


def _ties() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = np.array([0, 0, 1, 3, 3, 4, 2])
    b = np.array([1, 2, 2, 4, 5, 5, 3])
    return a, b, np.array([0.9, 0.8, 0.85, 0.9, 0.8, 0.85, 0.3], dtype=np.float32)


def test_a_loner_stands_aside_instead_of_squashing_the_town() -> None:
    a, b, aff = _ties()
    layout = compute_layout(GraphRequest(7, a, b, aff))  # person 6 has no tie
    tied = layout.pos[[layout.index_of(p) for p in range(6)]]
    loner = layout.pos[layout.index_of(6)]
    span = np.ptp(layout.pos, axis=0)
    assert np.ptp(tied, axis=0).max() > 0.75 * span.max()  # the connected part fills the picture
    assert loner[1] < tied[:, 1].min()  # the loner waits underneath


def test_the_town_stays_put_between_refreshes() -> None:
    a, b, aff = _ties()
    first = compute_layout(GraphRequest(7, a, b, aff))
    previous = {int(n): (float(x), float(y)) for n, (x, y) in zip(first.nodes, first.pos, strict=True)}
    again = compute_layout(GraphRequest(7, a, b, aff * 0.9, previous=previous))  # ties changed a little
    assert np.allclose(first.pos, again.pos)


def test_a_circle_puts_the_person_in_the_middle() -> None:
    a, b, aff = _ties()
    circle = compute_layout(GraphRequest(7, a, b, aff, focus=0, circle=True))
    assert circle.mode == "ego" and np.allclose(circle.pos[circle.index_of(0)], (0, 0))
    for friend in (1, 2):
        assert np.isclose(np.hypot(*circle.pos[circle.index_of(friend)]), 1.0)
    assert circle.index_of(6) < 0  # not in the circle


def test_people_not_in_the_world_are_left_out() -> None:
    a, b, aff = _ties()
    alive = np.array([True, True, True, True, True, False, True])
    layout = compute_layout(GraphRequest(7, a, b, aff, alive=alive))
    assert 5 not in layout.nodes.tolist() and len(layout.nodes) == 6
    assert not any(5 in (int(layout.nodes[x]), int(layout.nodes[y])) for x, y in layout.edges)


def test_names_are_printed_only_where_they_fit() -> None:
    pixels = np.array([[100.0, 100.0], [110.0, 102.0], [300.0, 100.0]])
    kept = clear_labels(pixels, ["Rosa", "Ruth", "Gus"], [1, 0, 2], lambda text: (40.0, 12.0))
    assert kept == [1, 2]  # Rosa would cover Ruth, who came first
    assert label_box(0, 0, 40, 12)[3] < 0  # above the node


def _overlap(p: tuple[float, ...], q: tuple[float, ...]) -> bool:
    return p[0] < q[2] - 0.5 and q[0] < p[2] - 0.5 and p[1] < q[3] - 0.5 and q[1] < p[3] - 0.5


def test_the_village_graph_reads(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = controller.window
    graph, dock = window.graph, window.docks["graph"]
    dock.raise_()
    run_ticks(controller, 600)
    graph.set_filters(min_strength=0.0)
    wait_until(lambda: graph.layout_data is not None and len(graph.layout_data.edges) > 5, 30, "the town's ties")
    assert graph.layout_data.mode == "all" and graph.view.currentData() == "circle"  # nobody selected yet
    # Search: a name selects them, and the default view is their circle.
    static = controller.bridge.latest.static
    target = static.people[int(np.argmax(np.bincount(np.concatenate([controller.bridge.latest.relationships.a,
                                                                     controller.bridge.latest.relationships.b]))))]
    # First names are shared (only whole names are unique): a first name someone else has too asks for more.
    first = target.name.split()[0].lower()
    namesakes = [p for p in static.people if not p.removed and first in p.name.lower()]
    graph.search.setText(first)
    if len(namesakes) > 1:
        assert graph.find_person() == -1 and f"{len(namesakes)} people match" in graph.caption.text()
        graph.search.setText(target.name.lower())
    assert graph.find_person() == target.id and controller.selection.person == target.id
    wait_until(lambda: graph.layout_data.mode == "ego" and graph.layout_data.focus == target.id, 20, "their circle")
    # Floated and enlarged, as a user would to read it: the names never overlap, the chosen one is printed.
    dock.setFloating(True)
    dock.resize(900, 700)
    qtbot.waitExposed(dock)
    wait_until(lambda: graph.plot.height() > 450, 5, "the graph to grow")
    graph.fit()
    QApplication.processEvents()
    graph.names.place()
    boxes = graph.label_boxes()
    assert len(boxes) >= 3 and target.name in graph.shown_labels()
    assert not any(_overlap(p, q) for i, p in enumerate(boxes) for q in boxes[i + 1:])
    # The whole town on request.
    graph.view.setCurrentIndex(graph.view.findData("town"))
    wait_until(lambda: graph.layout_data.mode == "all", 20, "the whole town")
    assert len(graph.layout_data.nodes) == sum(1 for p in static.people if not p.removed)
    xs = graph.layout_data.pos
    assert np.ptp(xs[:, 0]) > 0 and np.ptp(xs[:, 1]) > 0


def test_a_big_circle_still_names_the_person_and_their_friends() -> None:
    from app.docks.graph_names import NAMES_UP_TO, name_order

    rng = np.random.default_rng(3)
    n = 300
    a = np.concatenate([np.zeros(30, dtype=np.int64), rng.integers(1, n, 400)])
    b = np.concatenate([np.arange(1, 31), rng.integers(1, n, 400)])
    keep = a != b
    a, b = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    aff = rng.uniform(0.1, 1, len(a)).astype(np.float32)
    circle = compute_layout(GraphRequest(n, a, b, aff, focus=0, circle=True))
    assert len(circle.nodes) > NAMES_UP_TO  # too many to name everyone
    named = {int(circle.nodes[i]) for i in name_order(circle, 0)[:NAMES_UP_TO]}
    assert {0, *range(1, 31)} <= named  # the person and every direct tie get a name to print

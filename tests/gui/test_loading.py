"""Opening a world shows how far it got: a real percentage, not just a busy bar."""

from __future__ import annotations

from .conftest import wait_until


def test_open_reports_progress_in_percent(controller, worlds) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[float, str, int]] = []
    bar = controller.window.progress
    label = controller.window.busy_label
    controller.loader.progress.connect(lambda fraction, what: seen.append((fraction, label.text(), bar.maximum())))
    loaded: list[object] = []
    controller.world_loaded.connect(loaded.append)
    controller.open_path(worlds["town"])
    wait_until(lambda: loaded, 60, "the town to open")
    fractions = [f for f, _w, _m in seen]
    assert len(seen) >= 4 and fractions == sorted(fractions) and fractions[-1] >= 0.85
    assert any(w.endswith("reading the map…") for _f, w, _m in seen)
    assert seen[-1][1] == "Opening town.town — waking their minds…"
    assert all(maximum == 100 for _f, _w, maximum in seen)  # the bar switched from busy to a percentage
    assert not bar.isVisible() and not label.isVisible()

"""The Experiments, Survey and Compare docks on the real window: a spec launched in worker processes,
plotted across runs with confidence bands, a run's world opened at an hour; a survey; two branches compared."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.docks.run_bands import bands
from tests.conftest import WORLDS
from tests.experiments.conftest import branched_village

from .conftest import wait_until

SPEC = """name = "small"
worlds = ["village.town"]
seeds = [1, 2]
sim_hours = 2
checkpoint_minutes = 30
[sweep]
"policy.tax_rate" = [0.1, 0.3]
"""


def test_bands_are_the_mean_and_its_confidence_interval() -> None:
    rows = [{"run_id": str(i), "hour": 1.0, "x": v, "setting.s": i % 2} for i, v in enumerate((1.0, 2.0, 3.0, 4.0))]
    (whole,) = bands(rows, "x", None)
    assert whole.mean == [2.5] and whole.runs == 4
    assert whole.low[0] < 2.5 < whole.high[0] and abs((whole.high[0] - 2.5) - 3.18 * 1.2910 / 2) < 1e-3
    split = bands(rows, "x", "setting.s")
    assert [b.group for b in split] == ["s = 0", "s = 1"] and [b.mean for b in split] == [[2.0], [3.0]]


def test_experiments_dock_launches_plots_and_opens_a_run(open_controller, tmp_path: Path, worlds) -> None:
    controller = open_controller(worlds["village"])
    shutil.copy(WORLDS / "village.town", tmp_path / "village.town")
    (tmp_path / "small.toml").write_text(SPEC, encoding="utf-8")
    dock = controller.research.experiments
    controller.research.docks["experiments"].raise_()
    assert dock.open_spec(tmp_path / "small.toml", tmp_path / "out")
    assert "4 runs" in dock.spec_label.text()
    dock.workers.setValue(2)
    dock.launch()
    assert dock.running
    wait_until(lambda: not dock.running, 180, "the experiment to finish")
    assert dock.status.text().startswith("finished: 4 of 4 runs ok"), dock.status.text()
    assert dock.progress.value() == 4 and dock.table.rowCount() == 4

    dock.metric_box.setCurrentText("conversations")
    dock.group.setCurrentText("setting.policy.tax_rate")
    assert [b.group for b in dock.drawn] == ["policy.tax_rate = 0.1", "policy.tax_rate = 0.3"]
    assert all(b.runs == 2 and b.hours == [0.0, 1.0, 2.0] for b in dock.drawn)
    assert all(lo <= m <= hi for b in dock.drawn for lo, m, hi in zip(b.low, b.mean, b.high, strict=True))
    controller.window.grab().save(str(tmp_path / "window.png"))

    loaded: list[object] = []
    controller.world_loaded.connect(loaded.append)
    run = dock.summary[0]
    assert dock.open_run_at(0, 1)
    wait_until(lambda: loaded, 60, "the run's world to open")
    assert str(controller.path) == run["saved_world"]
    wait_until(lambda: controller.bridge.latest is not None and controller.bridge.latest.tick == 60, 60,
               "the run's world at hour 1")


def test_survey_dock_asks_the_open_worlds_file(open_controller, worlds) -> None:
    controller = open_controller(worlds["village"])
    survey = controller.research.survey
    survey.question.setText("How is your money situation?")
    survey.scaled.setChecked(True)
    survey.ask()
    wait_until(lambda: not survey.job, 120, "the answers")
    assert survey.table.rowCount() == 25, survey.status.text()
    assert all(a.score is not None and 1 <= a.score <= 5 for a in survey.answers)
    assert "25 answers" in survey.status.text() and "mean" in survey.status.text()


def test_compare_dock_shows_two_branches(open_controller, tmp_path: Path) -> None:
    path = branched_village(tmp_path / "branched.town")
    controller = open_controller(path)
    compare = controller.research.compare
    assert compare.load_branches() and compare.branch_a.count() == 2
    assert compare.branch_a.currentData() != compare.branch_b.currentData()
    compare.compare()
    wait_until(lambda: not compare.job, 120, "the comparison")
    assert compare.report is not None, compare.status.text()
    assert "the mill is hiring" in compare.text.toPlainText()
    assert len(compare.plot.getPlotItem().listDataItems()) == 2

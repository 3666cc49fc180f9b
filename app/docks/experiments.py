"""Experiments dock: open a spec, launch it, watch it go, plot a metric across its runs, open any run's world.

The experiment runs off the GUI thread (``Background``) in worker processes, through
``api.run_experiment``; its progress comes back as signals. Results are read from the
folder it writes (``runs.parquet``, ``summary.csv``), so a finished or stopped experiment
can be opened again later with Results....
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.common.background import Background
from app.docks.run_bands import bands, group_names, metric_names
from engine import api

COLOURS = ("#7d5ba6", "#d35a4a", "#4c8a45", "#c98a1b", "#2f6f9f", "#8a4c7d", "#5a5a5a", "#1b9e77")
TABLE_COLUMNS = ("run", "world", "seed", "settings", "status", "state")


def read_results(out: Path) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The hourly rows and the summary rows an experiment folder holds (empty when it holds none yet)."""
    rows: list[dict[str, Any]] = []
    if (out / "runs.parquet").is_file():
        import pyarrow.parquet as pq

        rows = pq.read_table(out / "runs.parquet").to_pylist()
    summary: list[dict[str, str]] = []
    if (out / "summary.csv").is_file():
        with (out / "summary.csv").open(encoding="utf-8") as handle:
            summary = list(csv.DictReader(handle))
    return rows, summary


class ExperimentsDock(QWidget):
    open_run = Signal(str, int)  # a run's world file, the tick to go to

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("experimentsDock")
        self.spec: api.ExperimentSpec | None = None
        self.out: Path | None = None
        self.rows: list[dict[str, Any]] = []
        self.summary: list[dict[str, str]] = []
        self.job = 0
        self._stop = False
        self.work = Background(self)
        self.work.progress.connect(self._on_progress)
        self.work.finished.connect(self._on_finished)

        self.spec_label = QLabel("No spec open")
        self.spec_label.setWordWrap(True)
        self.open_button = QPushButton("Open Spec…")
        self.open_button.setToolTip("Open an experiment spec (.toml): worlds x seeds x settings, see experiments/")
        self.results_button = QPushButton("Results…")
        self.results_button.setToolTip("Show the results of an experiment folder (runs.parquet, summary.csv)")
        self.workers = QSpinBox()
        self.workers.setRange(1, max(1, os.cpu_count() or 1) * 4)
        self.workers.setValue(max(1, min(4, os.cpu_count() or 1)))
        self.workers.setToolTip("Worker processes that run at the same time")
        self.launch_button = QPushButton("Launch")
        self.launch_button.setEnabled(False)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.setToolTip("Stop after the runs under way; Launch again resumes with the rest")
        self.progress = QProgressBar()
        self.progress.setFormat("%v of %m runs")
        self.status = QLabel("")
        self.status.setWordWrap(True)

        self.metric_box = QComboBox()
        self.group = QComboBox()
        for combo in (self.metric_box, self.group):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
        self.plot = pg.PlotWidget(background="#fbf8f0")
        self.plot.setMinimumHeight(120)
        self.plot.addLegend(offset=(6, 2), labelTextColor="#241b2f")
        self.plot.setLabel("bottom", "sim hour")
        self.table = QTableWidget(0, len(TABLE_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(TABLE_COLUMNS))
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.hour = QSpinBox()
        self.hour.setRange(0, 100_000)
        self.hour.setSuffix(" h")
        self.open_world_button = QPushButton("Open Run's World")
        self.open_world_button.setToolTip("Open the selected run's world, gone back to that sim hour")

        top = QHBoxLayout()  # two short rows: the dock is a third of the window wide
        run_row = QHBoxLayout()
        rows: tuple[tuple[QHBoxLayout, tuple[QWidget, ...]], ...] = (
            (top, (self.open_button, self.results_button)),
            (run_row, (QLabel("Workers"), self.workers, self.launch_button, self.stop_button)))
        for row, widgets in rows:
            for widget in widgets:
                row.addWidget(widget)
        choose = QFormLayout()
        choose.addRow("Metric", self.metric_box)
        choose.addRow("Across", self.group)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("At"))
        bottom.addWidget(self.hour)
        bottom.addWidget(self.open_world_button)
        bottom.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.spec_label)
        layout.addLayout(top)
        layout.addLayout(run_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(choose)
        layout.addWidget(self.plot, 2)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.open_button.clicked.connect(self._choose_spec)
        self.results_button.clicked.connect(self._choose_results)
        self.launch_button.clicked.connect(self.launch)
        self.stop_button.clicked.connect(self.stop)
        self.metric_box.currentTextChanged.connect(lambda _t: self.redraw())
        self.group.currentTextChanged.connect(lambda _t: self.redraw())
        self.open_world_button.clicked.connect(self._open_selected)

    # -- a spec and its folder ---------------------------------------------------------------

    def _choose_spec(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open an experiment spec", "", "Experiment specs (*.toml)")
        if path:
            self.open_spec(path)

    def open_spec(self, path: str | Path, out: str | Path | None = None) -> bool:
        """Read a spec (its results go to ``out``, by default ``results/NAME`` beside it) and show what is there."""
        try:
            self.spec = api.load_spec(path)
        except api.SpecError as exc:
            self.status.setText(str(exc))
            return False
        spec_path = Path(path)
        self.out = Path(out) if out else spec_path.parent / "results" / spec_path.stem
        runs = len(api.plan_experiment(self.spec, self.out))
        self.spec_label.setText(f"<b>{self.spec.name}</b>: {runs} runs of {self.spec.sim_hours:g} sim hours "
                                f"into {self.out}")
        self.launch_button.setEnabled(True)
        self.progress.setRange(0, runs)
        self.progress.setValue(0)
        self.show_results(self.out)
        return True

    def _choose_results(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open an experiment's results folder")
        if folder:
            self.show_results(Path(folder))

    # -- running -------------------------------------------------------------------------------

    def launch(self) -> None:
        if self.spec is None or self.out is None or self.job:
            return
        spec, out, workers = self.spec, self.out, self.workers.value()
        self._stop = False

        def work(report: Any) -> api.ExperimentReport:
            return api.run_experiment(spec, out, workers, on_progress=report, should_stop=lambda: self._stop)

        self.job = self.work.start(work, name="townsfolk-experiment")
        self.launch_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.status.setText(f"Running with {workers} worker(s)…")

    def stop(self) -> None:
        self._stop = True
        self.status.setText("Stopping after the runs under way…")

    @property
    def running(self) -> bool:
        return bool(self.job)

    def _on_progress(self, job: int, progress: object) -> None:
        if job != self.job or not isinstance(progress, api.Progress):
            return
        self.progress.setRange(0, progress.total)
        self.progress.setValue(progress.done)
        failed = f", {progress.failed} failed" if progress.failed else ""
        resumed = f" ({progress.skipped} done before)" if progress.skipped else ""
        self.status.setText(f"{progress.done} of {progress.total} runs{failed}{resumed}. {progress.latest}")

    def _on_finished(self, job: int, report: object, error: str) -> None:
        if job != self.job:
            return
        self.job = 0
        self.launch_button.setEnabled(self.spec is not None)
        self.stop_button.setEnabled(False)
        if error:
            self.status.setText(f"The experiment stopped: {error}")
        elif isinstance(report, api.ExperimentReport):
            state = "stopped" if report.stopped else "finished"
            self.status.setText(f"{state}: {report.ok} of {report.total} runs ok, {report.failed} failed")
        if self.out is not None:
            self.show_results(self.out)

    # -- results ---------------------------------------------------------------------------------

    def show_results(self, out: Path) -> None:
        self.out = out
        self.rows, self.summary = read_results(out)
        metric, group = self.metric_box.currentText(), self.group.currentText()
        for combo, names, keep in ((self.metric_box, metric_names(self.rows), metric),
                                   (self.group, ["all runs", *group_names(self.rows)], group)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            if keep in names:
                combo.setCurrentText(keep)
            combo.blockSignals(False)
        self._fill_table()
        self.redraw()

    def redraw(self) -> None:
        self.plot.clear()
        metric = self.metric_box.currentText()
        if not metric or not self.rows:
            return
        group = self.group.currentText()
        drawn = bands(self.rows, metric, None if group in ("", "all runs") else group)
        for number, band in enumerate(drawn):
            colour = COLOURS[number % len(COLOURS)]
            low = self.plot.plot(band.hours, band.low, pen=pg.mkPen(None))
            high = self.plot.plot(band.hours, band.high, pen=pg.mkPen(None))
            fill = pg.FillBetweenItem(low, high, brush=pg.mkBrush(pg.mkColor(colour).red(), pg.mkColor(colour).green(),
                                                                  pg.mkColor(colour).blue(), 50))
            self.plot.addItem(fill)
            self.plot.plot(band.hours, band.mean, pen=pg.mkPen(colour, width=2), name=f"{band.group} ({band.runs} runs)")
        self.plot.setLabel("left", metric)
        self.drawn = drawn

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self.summary))
        for row, run in enumerate(self.summary):
            settings = ", ".join(f"{k.removeprefix('setting.')}={v}" for k, v in run.items() if k.startswith("setting."))
            state = run.get("error") or run.get("state_hash", "")
            for column, text in enumerate((run["run_id"], run.get("world", ""), run.get("seed", ""), settings,
                                           run.get("status", ""), state)):
                item = QTableWidgetItem(str(text))
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()

    def _open_selected(self) -> None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        if len(rows) != 1:
            self.status.setText("Select one run first")
            return
        self.open_run_at(next(iter(rows)), self.hour.value())

    def open_run_at(self, row: int, hour: int) -> bool:
        """Ask the window to open run ``row``'s kept world at ``hour`` (False, with why, when it cannot)."""
        run = self.summary[row]
        world = run.get("saved_world", "")
        if not world or not Path(world).is_file():
            self.status.setText(f"Run {run['run_id']} kept no world (save_worlds = false, or it failed)")
            return False
        hourly = [r for r in self.rows if r["run_id"] == run["run_id"]]
        ticks = [int(r["tick"]) for r in hourly if float(r["hour"]) <= hour]
        tick = max(ticks) if ticks else 0
        self.open_run.emit(world, tick)
        return True

"""The research docks: Experiments, Survey and Compare, tabbed with the timeline (the town over time).

``install_research_docks`` builds them, lists them in View, and hands them what they ask of
the window: the open world's file (they read files, never the running engine) and how people
think now. Opening a run's world at an hour is the shell's to do (``open_run``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QDockWidget, QWidget

from app.docks.branch_compare import BranchCompareDock
from app.docks.experiments import ExperimentsDock
from app.docks.survey import SurveyDock
from app.window.main_window import MainWindow
from engine import api


@dataclass
class ResearchDocks:
    experiments: ExperimentsDock
    survey: SurveyDock
    compare: BranchCompareDock
    docks: dict[str, QDockWidget]


def install_research_docks(window: MainWindow, world_path: Callable[[], Path | None],
                           llm: Callable[[], api.LLMConfig], open_run: Callable[[str, int], None]) -> ResearchDocks:
    experiments = ExperimentsDock()
    survey = SurveyDock(world_path, llm)
    compare = BranchCompareDock(world_path)
    made: dict[str, QDockWidget] = {}
    widgets: tuple[tuple[str, str, QWidget], ...] = (
        ("experiments", "Experiments", experiments), ("survey", "Survey", survey), ("compare", "Compare", compare))
    for key, title, widget in widgets:
        made[key] = window.add_scrolling_dock(key, title, widget, anchor="timeline")
    experiments.open_run.connect(open_run)
    return ResearchDocks(experiments, survey, compare, made)

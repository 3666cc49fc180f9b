"""The application's logic: which world is open, what the actions do, who hears what.

Owns the settings, the world loader, the engine bridge and the selection, and
wires the window's actions to them. The map and the docks subscribe to the bridge
and the selection themselves; the helpers made here get only the parts they use.
Nothing here blocks on the engine: commands go out through the bridge, answers
come back as signals.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from app.common import formatting as fmt
from app.common.bridge import EngineBridge, Moment
from app.common.event_store import EventStore
from app.common.population import is_living, living, population
from app.common.resources import bundled_world
from app.common.selection import PERSON, Selection
from app.files.autosave import Autosaver
from app.files.loader import Loaded, WorldLoader
from app.files.settings import Settings
from app.files.tiled_io import TiledFiles
from app.files.unsaved import UnsavedChanges
from app.files.user_paths import is_recovery_copy, needs_save_as, worlds_dir
from app.godmode.possession import Possession
from app.godmode.time_controls import TimeControls
from app.godmode.undo import EditHistory, install_edit_menu
from app.godmode.world_tools import WorldTools
from app.map.tools import MapTools
from app.plugins.manager import PluginManager
from app.shell.dialogs import TEMPLATE_SIZES, NewWorldDialog, about_text
from app.shell.save_prompt import SaveGate
from app.shell.welcome import offer_recovery, show_welcome
from app.thinking.agent_api import AgentApi, AgentApiDialog
from app.thinking.control import Thinking
from app.window.help import open_controls, open_tour
from app.window.main_window import MainWindow
from app.window.research_docks import install_research_docks
from app.window.society_docks import install_society_docks
from engine import api
from engine.contracts import Pause, Play, SaveWorld, SetSpeed, Step, Watch, WorldSnapshot

log = logging.getLogger(__name__)
WORLD_FILTER = "Townsfolk worlds (*.town);;All files (*)"
PLAY_GRACE = 0.5  # seconds the play button trusts the user over a snapshot still in flight
RATES_MS = 500  # how often the status bar's ticks/s and fps are refreshed


class Controller(QObject):
    world_loaded = Signal(object)  # Loaded
    load_failed = Signal(str, str)

    def __init__(self, settings: Settings | None = None, quiet: bool = False):
        super().__init__()
        self.settings = settings or Settings()
        self.quiet = quiet  # smoke test: report errors on stderr instead of dialogs
        self.selection = Selection(self)
        self.events = EventStore()
        self.window = MainWindow(self.selection, self.events)
        self.bridge = EngineBridge(self)
        self.loader = WorldLoader(self)
        self.thinking = Thinking(self.window, self.settings, self.bridge, self)
        self.plugins = PluginManager(self.window, self.bridge, self)
        self.history = EditHistory(self.bridge, lambda text: self.window.statusBar().showMessage(text, 8000), self)
        self.tools = MapTools(self.window.map_view, self.history.send, send_group=self.history.send_group,
                              selection=self.selection)
        self.path: Path | None = None
        self.world_name = ""
        self.speed = 1.0
        self.errors: list[str] = []
        self._play_sent_at = 0.0
        self._watched = -1  # the person the engine lets think first, because the user is looking at them
        self.recovered_from: dict[Path, Path | None] = {}  # crash recovery copies opened -> their original
        self.welcome: QWidget | None = None
        self.notices: list[str] = []  # one-line warnings about the open world's files (a lost memory folder...)
        self.unsaved = UnsavedChanges(self._is_own_file, self)
        self.autosave = Autosaver(self.bridge, self.unsaved, self.recovery_original, self.settings.autosave_minutes(),
                                  self)
        self.gate = SaveGate(self.window, self.bridge, self.unsaved, self.save, lambda: self.world_name or "This town",
                             ask=not quiet)
        self._wire()
        # Time travel: keys, Time menu, Branches dock.
        self.time = TimeControls(self.window, self.bridge, play=self.play, step=self.step, parent=self)
        self.society = install_society_docks(self.window, self.bridge, self.selection, self.history.send,
                                             self.world_loaded)  # economy, governance
        self._seek_after_open: int | None = None  # a run's world opened at an hour: the tick to go to
        self.research = install_research_docks(self.window, lambda: self.path,
                                               lambda: self.thinking.handle_options().llm,
                                               self.open_run_at)  # experiments, survey, compare
        tiled = TiledFiles(self.window, self.bridge, parent=self,
                           import_world=self._import_world,
                           open_world=lambda: (self.path, self.world_name), report_error=self._error)
        self.world_tools = WorldTools(self.window, self.bridge, self.selection, send=self.history.send,
                                      pick=self.tools.pick, world_loaded=self.world_loaded, tiled=tiled,
                                      parent=self)  # events, news, chat, god console, Tiled files
        self.possession = Possession(self.bridge, self.selection, self.tools, self.window.chat,
                                     lambda text: self.window.statusBar().showMessage(text, 10000), self.world_loaded,
                                     self)  # playing as someone
        self.possession.changed.connect(self._on_possessed)
        self.window.window_actions.possess.toggled.connect(self.possession.toggle)
        self.agent_api = AgentApi(self.bridge, self.world_loaded, self)
        self.window.window_actions.agent_api.triggered.connect(self.open_agent_api)
        self._agent_api_dialog: AgentApiDialog | None = None
        self._restore_layout()
        self._refresh_recent()
        self._rates = QTimer(self.window)  # the frame rate changes without snapshots; it goes with the window
        self._rates.timeout.connect(self._show_rates)
        self._rates.start(RATES_MS)

    # ------------------------------------------------------------------ wiring

    def _on_possessed(self, person: int) -> None:
        action = self.window.window_actions.possess
        action.blockSignals(True)
        action.setChecked(person >= 0)
        action.blockSignals(False)

    def open_agent_api(self) -> AgentApiDialog:
        if self._agent_api_dialog is None:
            self._agent_api_dialog = AgentApiDialog(self.agent_api, self.window)
        self._agent_api_dialog.refresh()
        self._agent_api_dialog.show()
        self._agent_api_dialog.raise_()
        return self._agent_api_dialog

    def _wire(self) -> None:
        w, a = self.window, self.window.window_actions
        a.open.triggered.connect(self.open_dialog)
        a.new.triggered.connect(self.new_dialog)
        a.save.triggered.connect(self.save)
        a.save_as.triggered.connect(self.save_as)
        a.quit.triggered.connect(w.close)
        a.play.triggered.connect(self._on_play)
        a.step.triggered.connect(self.step)
        a.zoom_fit.triggered.connect(w.map_view.zoom_to_fit)
        a.follow.toggled.connect(w.map_view.set_follow)
        a.find.triggered.connect(self.find_person)
        a.about.triggered.connect(lambda: QMessageBox.about(w, "About Townsfolk", about_text()))
        a.controls.triggered.connect(lambda: open_controls(w))
        a.tour.triggered.connect(lambda: open_tour(w))
        a.reset_layout.triggered.connect(w.reset_layout)
        a.llm_status.triggered.connect(self.thinking.open_status)
        a.thinking.triggered.connect(self.thinking.open_settings)
        a.plugins.triggered.connect(self.plugins.open)
        for rate, action in a.speeds.items():
            action.triggered.connect(lambda _c=False, r=rate: self.set_speed(r))
        w.map_view.person_clicked.connect(self.selection.select_person)
        w.map_view.building_clicked.connect(self.selection.select_building)
        w.map_view.empty_clicked.connect(self.selection.clear)
        w.map_view.follow_changed.connect(self._on_follow_changed)
        self.selection.changed.connect(self._on_selection)
        w.subscribe(self.bridge)  # the map, inspector, graph, timeline and event log hear the engine themselves
        self.bridge.snapshot_changed.connect(self._on_snapshot)
        self.bridge.moment_changed.connect(self._on_moment)
        w.inspector.set_editor(self.history.send, self.tools.pick)
        self.bridge.world_saved.connect(self._on_saved)
        self.bridge.snapshot_changed.connect(self.unsaved.on_snapshot)
        self.bridge.events_arrived.connect(self.unsaved.on_events)
        self.unsaved.changed.connect(lambda _dirty: self._update_title())
        w.close_check = lambda: self.gate.confirm("closing it")
        self.bridge.save_failed.connect(lambda path, reason: self._error("Could not save", f"{path}: {reason}"))
        self.bridge.engine_failed.connect(lambda message: self._error("The simulation stopped", message))
        self.loader.started.connect(self.window.set_busy)
        self.loader.progress.connect(self.window.set_progress)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        w.closing.connect(self.shutdown)
        install_edit_menu(w, self.history.stack, before=a.docks_menu, copy=self.tools.copy_selection,
                          paste=self.tools.paste)
        w.map_view.tools = self.tools
        w.palette_dock.armed.connect(self.tools.arm)
        self.tools.dropped.connect(w.palette_dock.drop)
        self.tools.message.connect(lambda text: w.statusBar().showMessage(text, 10000))

    def _restore_layout(self) -> None:
        geometry, state = self.settings.window_state()
        if geometry is None or not self.window.restoreGeometry(geometry):
            self.window.resize(1280, 800)
        if state is not None and self.window.restoreState(state):
            self.window.keep_restored_layout()

    # ------------------------------------------------------------------ worlds

    def open_initial(self, path: str | None = None) -> None:
        """A crash's recovery copy is offered first; then ``townsfolk WORLD`` opens WORLD, plain ``townsfolk``
        the last world, else the welcome view (first start, or the last world is gone)."""
        if offer_recovery(self.window, self.open_recovery):
            return
        if path:
            self.open_path(path)
            return
        last = self.settings.last_world()
        if last and Path(last).is_file():
            self.open_path(last)
        else:
            self.welcome = show_welcome(self, self.thinking.probe, self.thinking.open_settings)

    def open_sample(self, name: str) -> None:
        """A sample world shipped with the app (made from its template if the file is missing)."""
        if bundled_world(name).is_file():
            self.open_path(bundled_world(name))
        elif self.gate.confirm("opening another world"):
            self.loader.new(name, TEMPLATE_SIZES.get(name, 25), 0, options=self.thinking.handle_options())

    def open_scenario(self, key: str) -> None:
        """A new town from an installed plugin's scenario (welcome view)."""
        if self.gate.confirm("opening another world"):
            self.loader.scenario(key, 0, self.thinking.handle_options())

    def open_recovery(self, recovery: Path, original: Path | None) -> None:
        """Open a crash's recovery copy; Save then asks where to, starting at the original file."""
        self.recovered_from[recovery] = original
        self.open_path(recovery)

    def recovery_original(self) -> Path | None:
        """The real file behind the open world (for a recovery copy, the one it came from); None if none."""
        path = self.recovered_from.get(self.path, self.path) if self.path else None
        return None if needs_save_as(path) else path

    def open_path(self, path: str | Path) -> None:
        """Open ``path`` (after Save / Discard / Cancel when the open world has unsaved changes)."""
        if self.gate.confirm("opening another world"):
            self.loader.open(path, self.thinking.handle_options())

    def open_run_at(self, path: str, tick: int) -> None:
        """Open an experiment run's world and go back to ``tick`` of it (the Experiments dock asks)."""
        if self.gate.confirm("opening a run's world"):
            self._seek_after_open = tick
            self.loader.open(path, self.thinking.handle_options())

    def _import_world(self, path: str | Path) -> None:
        if self.gate.confirm("opening another world"):
            self.loader.import_tiled(path, self.thinking.handle_options())

    def open_dialog(self) -> None:
        if not self.gate.confirm("opening another world"):
            return
        home = worlds_dir() if worlds_dir().is_dir() else Path.home()
        start = str(self.path.parent) if not needs_save_as(self.path) and self.path else str(home)
        path, _ = QFileDialog.getOpenFileName(self.window, "Open a world", start, WORLD_FILTER)
        if path:
            self.loader.open(path, self.thinking.handle_options())

    def new_dialog(self) -> None:
        if not self.gate.confirm("making a new world"):
            return
        dialog = NewWorldDialog(self.window)
        if dialog.exec():
            template, agents, seed, name = dialog.values()
            self.loader.new(template, agents, seed, name, options=self.thinking.handle_options())

    def _on_loaded(self, loaded: Loaded) -> None:
        old = self.bridge.detach()
        if old is not None:
            # Joining the old engine thread could take a tick: never on the GUI thread.
            threading.Thread(target=old.stop, name="townsfolk-stop", daemon=True).start()
        self.path = loaded.path
        self.world_name = loaded.name
        self.unsaved.world_opened(saved=loaded.path is not None and not is_recovery_copy(loaded.path))
        self.autosave.world_opened()
        self.selection.clear()
        self.events.clear()
        self.history.clear()
        self._watched = -1
        loaded.handle.start()
        self.bridge.attach(loaded.handle)
        self.thinking.world_opened(loaded.options)
        self.bridge.send(SetSpeed(ticks_per_second=self.speed))
        self.window.set_busy(None)
        self._update_title()
        self.window.statusBar().showMessage(f"Opened {loaded.name}: {loaded.people:,} people "
                                            f"in {loaded.seconds:.1f} s", 5000)
        for warning in loaded.handle.warnings:  # e.g. the memory folder did not come with the file
            log.warning("%s", warning)
            self.notices.append(warning)
            self.window.statusBar().showMessage(warning, 30000)
        if loaded.path is not None:
            self.settings.add_recent(loaded.path)
            self._refresh_recent()
        self.window.window_actions.play.setChecked(False)
        self.world_loaded.emit(loaded)
        if self._seek_after_open is not None:
            tick, self._seek_after_open = self._seek_after_open, None
            self.time.seek(tick)

    def _on_load_failed(self, title: str, message: str) -> None:
        self._seek_after_open = None
        self.window.set_busy(None)
        self._error(title, message)
        self.load_failed.emit(title, message)

    def _refresh_recent(self) -> None:
        menu = self.window.window_actions.recent_menu
        assert menu is not None
        menu.clear()
        recent = self.settings.recent_files()
        for path in recent:
            action = QAction(Path(path).name, menu)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _c=False, p=path: self._open_recent(p))
            menu.addAction(action)
        menu.setEnabled(bool(recent))

    def _open_recent(self, path: str) -> None:
        if not Path(path).is_file():
            self.settings.forget_recent(path)
            self._refresh_recent()
            self._error("Could not open", f"{path} no longer exists.")
            return
        self.open_path(path)

    # ------------------------------------------------------------------ saving

    def save(self) -> bool:
        """Start saving the open world; False when there was nothing to save or Save As was cancelled."""
        if needs_save_as(self.path):  # unsaved, a bundled sample (never write into the app) or a recovery copy
            return self.save_as()
        if not self.bridge.attached:
            return False
        self.bridge.send(SaveWorld(path=str(self.path)))
        self.window.save_label.setText("saving…")
        return True

    def save_as(self) -> bool:
        if not self.bridge.attached:
            return False
        start = self.recovery_original() or worlds_dir() / f"{self.world_name or 'town'}.town"
        start.parent.mkdir(parents=True, exist_ok=True)
        path, _ = QFileDialog.getSaveFileName(self.window, "Save the world as", str(start), WORLD_FILTER)
        if not path:
            return False
        target = Path(path)
        if target.suffix != ".town":
            target = target.with_suffix(".town")
        self.path = target
        self.bridge.send(SaveWorld(path=str(target)))
        self.window.save_label.setText("saving…")
        return True

    def _is_own_file(self, path: str) -> bool:
        """A save to the open world's own file (not an autosave or a crash's recovery copy)."""
        return self.path is not None and Path(path) == self.path

    def _update_title(self) -> None:
        """``name — file — Townsfolk``, marked (``*``) while there are unsaved changes."""
        where = self.path.name if self.path else "unsaved"
        self.window.setWindowTitle(f"{self.world_name} — {where}[*] — Townsfolk")
        self.window.setWindowModified(self.unsaved.dirty)

    def _on_saved(self, path: str) -> None:
        if is_recovery_copy(path) and Path(path) != self.path:
            return  # the crash handler's autosave, not the user's save
        snap = self.bridge.latest
        when = fmt.clock(snap.minute_of_day) if snap else ""
        self.window.save_label.setText(f"saved {when}")
        self.window.save_label.setToolTip(path)
        self.settings.add_recent(path)
        self._refresh_recent()
        self._update_title()

    # ------------------------------------------------------------------ time

    def _on_play(self, checked: bool) -> None:
        self.play(checked)

    def play(self, on: bool = True) -> None:
        if not self.bridge.attached:
            self.window.window_actions.play.setChecked(False)
            return
        self._play_sent_at = time.monotonic()
        self.window.window_actions.play.setChecked(on)
        self.bridge.send(Play() if on else Pause())

    def step(self) -> None:
        if self.bridge.attached:
            self._play_sent_at = time.monotonic()
            self.window.window_actions.play.setChecked(False)
            self.bridge.send(Step(ticks=1))

    def set_speed(self, rate: float) -> None:
        self.speed = rate
        action = self.window.window_actions.speeds.get(rate)
        if action is not None:
            action.setChecked(True)
        if self.bridge.attached:
            self.bridge.send(SetSpeed(ticks_per_second=rate))

    # ------------------------------------------------------------------ feeds

    def _on_snapshot(self, snapshot: WorldSnapshot) -> None:
        """The toolbar and status bar; the map and the docks take the snapshot themselves."""
        w = self.window
        w.clock.setText(snapshot.clock_text)
        people = population(snapshot.static)  # the removed keep their slot: never count them
        w.population_label.setText(f"{people:,} people")
        self._show_rates()
        if time.monotonic() - self._play_sent_at > PLAY_GRACE and w.window_actions.play.isChecked() != snapshot.running:
            w.window_actions.play.blockSignals(True)
            w.window_actions.play.setChecked(snapshot.running)
            w.window_actions.play.blockSignals(False)
        icon = w.style().standardIcon(w.style().StandardPixmap.SP_MediaPause if w.window_actions.play.isChecked()
                                      else w.style().StandardPixmap.SP_MediaPlay)
        w.window_actions.play.setIcon(icon)
        self.thinking.set_snapshot(snapshot)

    def _show_rates(self) -> None:
        """The engine's ticks per second (or paused) and the map's frames per second, in the status bar."""
        snapshot = self.bridge.latest
        if snapshot is None:
            return
        ticks = f"{snapshot.ticks_per_second:.1f} ticks/s" if snapshot.running else "paused"
        self.window.rate_label.setText(f"{ticks} · {self.window.map_view.fps:.0f} fps")

    def _on_moment(self, _moment: Moment) -> None:
        """Someone selected who is not in the world at the moment now shown (spawned later, or the spawn
        undone) is selected no more: every dock would otherwise describe a person who is not there."""
        snap = self.bridge.latest
        if snap is not None and self.selection.kind == PERSON and not is_living(snap.static, self.selection.index):
            self.selection.clear()

    # ------------------------------------------------------------------ selection

    def _on_selection(self, kind: str, index: int) -> None:
        """The map highlights the selection itself; here the engine is told who is watched."""
        self._watch(index if kind == PERSON else -1)
        self.window.window_actions.follow.setEnabled(kind == PERSON)

    def _watch(self, person: int) -> None:
        """The selected person thinks first (and gets a mind if they had none); the previous one stops."""
        if person == self._watched:
            return
        if self._watched >= 0:
            self.bridge.query(Watch(agent=self._watched, watched=False))
        if person >= 0:
            self.bridge.query(Watch(agent=person, watched=True))
        self._watched = person

    def _on_follow_changed(self, on: bool) -> None:
        action = self.window.window_actions.follow
        if action.isChecked() != on:
            action.blockSignals(True)
            action.setChecked(on)
            action.blockSignals(False)

    def find_person(self) -> None:
        snap = self.bridge.latest
        if snap is None:
            return
        ids = {p.name: p.id for p in living(snap.static)}
        name, ok = QInputDialog.getItem(self.window, "Find a person", "Name:", sorted(ids), 0, True)
        if ok and name in ids:
            self.selection.focus(PERSON, ids[name])

    # ------------------------------------------------------------------ errors and shutdown

    def _error(self, title: str, message: str) -> None:
        self.errors.append(f"{title}: {message}")
        if self.quiet:  # the smoke test reports errors itself
            return
        log.error("%s: %s", title, message)
        QMessageBox.critical(self.window, title, message)

    def shutdown(self) -> None:
        """The window is closing (any unsaved work was saved or given up): the autosave copy goes too."""
        self.autosave.timer.stop()
        # An autosave may have left while the user was being asked; let it land before its copy is removed,
        # or the engine would write the copy again after the removal.
        self.gate.wait_for_saves()
        self.autosave.discard()
        self.settings.save_window_state(self.window.saveGeometry(), self.window.saveState())
        self.settings.sync()
        self.window.graph.shutdown()
        self.agent_api.stop()
        handle = self.bridge.detach()
        if handle is not None:
            handle.stop(timeout=1.0)  # the app is quitting: a short, bounded wait is fine

    def current_handle(self) -> api.EngineHandle | None:
        return self.bridge.handle



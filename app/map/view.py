"""The map widget the window embeds: a GL host plus pan, zoom, select, hover and follow.

Panning: middle or right drag (a left drag on empty map draws a selection band, see
``app.map.select_tool``), arrow keys or WASD.

Input handlers only change the camera or the selection and ask for a frame;
drawing happens later in the host's paint (where the GL context is current).
"""

from __future__ import annotations

import html
import math
import time
from typing import Protocol, cast

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeyEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

from app.common.bridge import EngineBridge
from app.common.event_batch import EventBatch
from app.common.formatting import building_kind, hours_text
from app.common.selection import BUILDING, PERSON, Selection
from app.map.host import create_map_widget
from app.map.scene import Scene
from engine.contracts import Activity, WorldSnapshot

DRAG_THRESHOLD = 4  # pixels before a press becomes a pan
PAN_BUTTONS = (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton, Qt.MouseButton.RightButton)
WHEEL_STEP = 1.15  # zoom factor per wheel notch
KEY_PAN = 80  # pixels per arrow key press
FRAME_MS = 30  # ~33 fps: smooth enough, and on software GL each extra frame is CPU the engine needs
FPS_WINDOW_S = 1.0  # the frame rate shown is counted over this long


class EventHandler(Protocol):
    """What the map offers its events to first (``app.map.tools.MapTools``)."""

    def handle(self, event: QEvent) -> bool: ...


class MapView(QWidget):
    """The city map. Emits what the user picked; the window routes it to the selection."""

    person_clicked = Signal(int)
    building_clicked = Signal(int)
    empty_clicked = Signal()
    follow_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.scene = Scene()
        self.host = create_map_widget(self.scene, self)
        self.host.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.host)
        self.setFocusProxy(self.host)
        self.setMinimumSize(200, 150)
        self._press: QPointF | None = None
        self._last: QPointF | None = None
        self._dragging = False
        self._dirty = True
        self._hover_at = 0.0
        self.tools: EventHandler | None = None  # set by the controller: offered every event first
        self.fps = 0.0  # frames the map drew per second, over the last FPS_WINDOW_S
        self._fps_from = (time.perf_counter(), 0)
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._on_tick)
        self._timer.start()

    # ------------------------------------------------------------------ data in

    @property
    def backend(self) -> str:
        return self.host.backend

    @property
    def gl_error(self) -> str | None:
        return self.host.gl_error

    @property
    def camera(self):
        return self.scene.camera

    def subscribe(self, bridge: EngineBridge) -> None:
        """Hear the engine: every snapshot is drawn, every event may leave a mark."""
        bridge.frame_changed.connect(self.set_snapshot)
        bridge.events_arrived.connect(self.add_events)

    def set_snapshot(self, snapshot: WorldSnapshot) -> None:
        self.scene.pixel_ratio = self.host.devicePixelRatioF()
        if self.scene.set_snapshot(snapshot) and self.isVisible():
            # Another world: its first frame now, not a timer tick and a hand-back later (on the
            # offscreen host the picture would reach the screen only in a later event-loop turn).
            self.render_now()
        self.update_map()

    def add_events(self, events: EventBatch) -> None:
        self.scene.add_events(events)

    def update_map(self) -> None:
        self._dirty = True

    def render_now(self) -> None:
        """Paint a frame now and wait for it (tests and the smoke test; the timer does it otherwise)."""
        self.host.render_now()

    def grab_map(self) -> QImage:
        return self.host.grab_map()

    # ------------------------------------------------------------------ selection and camera

    def show_selection(self, selection: Selection) -> None:
        """Highlight what is selected, wherever it was chosen; centre on what is asked to be found."""
        selection.changed.connect(self._on_selection)
        selection.focus_requested.connect(self._on_focus)

    def _on_selection(self, kind: str, index: int) -> None:
        if kind == PERSON:
            self.select_person(index)
        elif kind == BUILDING:
            self.select_building(index)
        else:
            self.select_person(-1)
            self.scene.selected_building = -1

    def _on_focus(self, kind: str, index: int) -> None:
        if kind == PERSON:
            self.center_on_person(index)
        elif kind == BUILDING:
            self.select_building(index, center=True)

    def select_person(self, index: int, center: bool = False) -> None:
        self.scene.selected_person = index
        self.scene.selected_building = -1
        if index < 0 and self.scene.follow:
            self.set_follow(False)
        if center:
            self.center_on_person(index)
        self.update_map()

    def select_building(self, index: int, center: bool = False) -> None:
        self.scene.selected_building = index
        self.scene.selected_person = -1
        self.set_follow(False)
        if center:
            xy = self.scene.building_xy(index)
            if xy:
                self.scene.camera.look_at(*xy)
        self.update_map()

    def set_group(self, members: tuple[tuple[str, int], ...]) -> None:
        """Highlight a rubber-band group (empty: none)."""
        self.scene.group = tuple(members)
        self.update_map()

    def center_on_person(self, index: int) -> None:
        xy = self.scene.person_xy(index)
        if xy:
            self.scene.camera.look_at(*xy)
            if self.scene.camera.zoom < 1.5:
                self.scene.camera.zoom_about(self.scene.camera.width / 2, self.scene.camera.height / 2,
                                             2.0 / self.scene.camera.zoom)
        self.update_map()

    def set_follow(self, on: bool) -> None:
        on = bool(on and self.scene.selected_person >= 0)
        if on != self.scene.follow:
            self.scene.follow = on
            self.follow_changed.emit(on)
            if on:
                self.center_on_person(self.scene.selected_person)
        self.update_map()

    def zoom_to_fit(self) -> None:
        self.set_follow(False)
        self.scene.zoom_to_fit()
        self.update_map()

    def zoom_by(self, factor: float, at: QPointF | None = None) -> None:
        cam = self.scene.camera
        point = at if at is not None else QPointF(cam.width / 2, cam.height / 2)
        if self.scene.follow:  # zooming while following keeps the person centred
            point = QPointF(cam.width / 2, cam.height / 2)
        cam.zoom_about(point.x(), point.y(), factor)
        self.update_map()

    def pan_by(self, dx: float, dy: float) -> None:
        self.set_follow(False)
        cam = self.scene.camera
        cam.pan_pixels(dx, dy)
        w, h = self.scene.map_size
        cam.clamp_to(0, 0, w, h)
        self.update_map()

    # ------------------------------------------------------------------ events

    def _on_tick(self) -> None:
        now, frames = time.perf_counter(), self.host.stats.frames
        since, counted = self._fps_from
        if now - since >= FPS_WINDOW_S:
            self.fps = (frames - counted) / (now - since)
            self._fps_from = (now, frames)
        if self._dirty or self.scene.animating() or (self.scene.static is not None and not self.scene.ready):
            self._dirty = False
            self.host.request_frame()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.host:
            return False
        kind = event.type()
        if self.tools is not None and self.tools.handle(event):
            return True
        # Qt types the filtered event as a bare QEvent; its type() says which subclass it is.
        if kind == QEvent.Type.MouseButtonPress:
            return self._mouse_press(cast(QMouseEvent, event))
        if kind == QEvent.Type.MouseMove:
            return self._mouse_move(cast(QMouseEvent, event))
        if kind == QEvent.Type.MouseButtonRelease:
            return self._mouse_release(cast(QMouseEvent, event))
        if kind == QEvent.Type.Wheel:
            return self._wheel(cast(QWheelEvent, event))
        if kind == QEvent.Type.KeyPress:
            return self._key(cast(QKeyEvent, event))
        if kind == QEvent.Type.ShortcutOverride and self._pan_key(cast(QKeyEvent, event)) is not None:
            event.accept()  # the map keeps arrow keys while it has focus
            return True
        if kind == QEvent.Type.Resize:
            self.update_map()
        return False

    def _mouse_press(self, event: QMouseEvent) -> bool:
        self.host.setFocus(Qt.FocusReason.MouseFocusReason)
        if event.button() in PAN_BUTTONS:
            self._press = self._last = event.position()
            self._dragging = event.button() == Qt.MouseButton.MiddleButton
            return True
        return False

    def _mouse_move(self, event: QMouseEvent) -> bool:
        pos = event.position()
        if self._press is not None and self._last is not None:
            if not self._dragging and (pos - self._press).manhattanLength() > DRAG_THRESHOLD:
                self._dragging = True
                self.host.setCursor(Qt.CursorShape.ClosedHandCursor)
            if self._dragging:
                self.pan_by(pos.x() - self._last.x(), pos.y() - self._last.y())
            self._last = pos
            return True
        now = time.perf_counter()
        if now - self._hover_at > 0.05:  # picking is cheap, but not free at 10k people
            self._hover_at = now
            self._hover(event)
        return False

    def _mouse_release(self, event: QMouseEvent) -> bool:
        if self._press is None:
            return False
        was_drag = self._dragging
        self._press = self._last = None
        self._dragging = False
        self.host.unsetCursor()
        if not was_drag and event.button() == Qt.MouseButton.LeftButton:
            self.click_at(event.position().x(), event.position().y())
        return True

    def click_at(self, sx: float, sy: float) -> None:
        hit = self.scene.pick(sx, sy)
        if hit is None:
            self.select_person(-1)
            self.scene.selected_building = -1
            self.empty_clicked.emit()
        elif hit[0] == "person":
            self.select_person(hit[1])
            self.person_clicked.emit(hit[1])
        else:
            self.select_building(hit[1])
            self.building_clicked.emit(hit[1])
        self.update_map()

    def _wheel(self, event: QWheelEvent) -> bool:
        notches = event.angleDelta().y() / 120.0
        if notches:
            self.zoom_by(math.pow(WHEEL_STEP, notches), event.position())
        return True

    @staticmethod
    def _pan_key(event: QKeyEvent) -> tuple[int, int] | None:
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return None
        return {
            Qt.Key.Key_Left: (KEY_PAN, 0), Qt.Key.Key_Right: (-KEY_PAN, 0),
            Qt.Key.Key_Up: (0, KEY_PAN), Qt.Key.Key_Down: (0, -KEY_PAN),
            Qt.Key.Key_A: (KEY_PAN, 0), Qt.Key.Key_D: (-KEY_PAN, 0),
            Qt.Key.Key_W: (0, KEY_PAN), Qt.Key.Key_S: (0, -KEY_PAN),
        }.get(Qt.Key(event.key()))

    def _key(self, event: QKeyEvent) -> bool:
        pan = self._pan_key(event)
        if pan is not None:
            self.pan_by(*pan)
            return True
        if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(WHEEL_STEP ** 2)
            return True
        if event.key() == Qt.Key.Key_Minus:
            self.zoom_by(WHEEL_STEP ** -2)
            return True
        return False

    def _hover(self, event: QMouseEvent) -> None:
        text = self.describe(self.scene.pick(event.position().x(), event.position().y()))
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self.host)
        else:
            QToolTip.hideText()

    def describe(self, hit: tuple[str, int] | None) -> str:
        """The hover text for a pick result."""
        snap, static = self.scene.snapshot, self.scene.static
        if hit is None or snap is None or static is None:
            return ""
        kind, index = hit
        if kind == "person" and index < len(static.people):
            person = static.people[index]
            verb = Activity(int(snap.activity[index])).verb
            where = int(snap.location[index])
            place = f" at {static.buildings[where].name}" if 0 <= where < len(static.buildings) else ""
            said = self.scene.bubbles.saying(index)  # the bubble shows the start; the hover, all of it
            speech = f"<br><i>“{html.escape(said)}”</i>" if said else ""
            return (f"<b>{html.escape(person.name)}</b><br>{html.escape(person.occupation)}, {person.age}<br>"
                    f"{verb}{html.escape(place)}{speech}")
        if kind == "building" and index < len(static.buildings):
            b = static.buildings[index]
            inside = int((snap.location == b.id).sum())
            return f"<b>{b.name}</b><br>{building_kind(b.type)} · {hours_text(b.opens, b.closes)}<br>{inside} inside"
        return ""

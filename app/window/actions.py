"""Every menu and toolbar action, with its shortcut and tooltip, in one place.

``build_actions`` makes the actions; ``build_menus`` and ``build_toolbar`` place
them. What an action *does* is connected by the controller.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QStyle, QToolBar, QWidget

# Multipliers of the base rate (1x = one tick, one sim minute, per second); 0 = as fast as possible.
SPEEDS = (("1x", 1.0), ("2x", 2.0), ("4x", 4.0), ("8x", 8.0), ("max", 0.0))


@dataclass
class Actions:
    new: QAction
    open: QAction
    save: QAction
    save_as: QAction
    quit: QAction
    play: QAction
    step: QAction
    zoom_fit: QAction
    follow: QAction
    find: QAction
    about: QAction
    controls: QAction
    tour: QAction
    reset_layout: QAction
    llm_status: QAction
    thinking: QAction
    plugins: QAction
    import_tiled: QAction
    export_tiled: QAction
    inject_event: QAction
    broadcast: QAction
    possess: QAction
    agent_api: QAction
    speeds: dict[float, QAction] = field(default_factory=dict)
    speed_group: QActionGroup | None = None
    recent_menu: QMenu | None = None
    docks_menu: QMenu | None = None


def _action(parent: QWidget, text: str, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None, tip: str = "",
            checkable: bool = False) -> QAction:
    action = QAction(text, parent)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip or text.replace('&', '').rstrip('.…')}" + (f" ({shown})" if shown else ""))
    action.setStatusTip(tip)
    action.setCheckable(checkable)
    return action


def build_actions(window: QMainWindow) -> Actions:
    style = window.style()
    actions = Actions(
        new=_action(window, "&New from Template…", QKeySequence.StandardKey.New, "Create a new town from a template"),
        open=_action(window, "&Open…", QKeySequence.StandardKey.Open, "Open a world file"),
        save=_action(window, "&Save", QKeySequence.StandardKey.Save, "Save the world, history included"),
        save_as=_action(window, "Save &As…", "Ctrl+Shift+S", "Save the world to a new file"),
        quit=_action(window, "&Quit", QKeySequence.StandardKey.Quit, "Quit Townsfolk"),
        play=_action(window, "&Play", "Space", "Play or pause the simulation", checkable=True),
        step=_action(window, "&Step", "Right", "Advance one tick (one sim minute) and pause"),
        zoom_fit=_action(window, "Zoom to &Fit", "Ctrl+0", "Show the whole town"),
        follow=_action(window, "&Follow", "F", "Keep the selected person in the middle of the map",
                       checkable=True),
        find=_action(window, "&Find Person…", QKeySequence.StandardKey.Find, "Find someone by name"),
        about=_action(window, "&About Townsfolk", tip="About Townsfolk"),
        controls=_action(window, "&Controls and Shortcuts", QKeySequence.StandardKey.HelpContents,
                         "Every mouse control and keyboard shortcut on one page"),
        tour=_action(window, "&Getting Started…", tip="A short tour of the window: the map, the docks, time travel "
                     "and god mode"),
        reset_layout=_action(window, "&Reset Layout", tip="Put every dock back in its default place: the map big, "
                             "the docks in two tab groups on the right"),
        llm_status=_action(window, "&LLM Status…", tip="How the townsfolk's thinking is going, and how to turn it on"),
        thinking=_action(window, "&Thinking…", "Ctrl+,", "Choose the brain people think with: rules or a language model"),
        plugins=_action(window, "&Plugins…", tip="The installed plugins: which this world uses, what each adds, "
                        "and any errors"),
        import_tiled=_action(window, "&Import Tiled Map…", tip="Make a new town from a Tiled map (.tmj, .tmx, .json)"),
        export_tiled=_action(window, "&Export Terrain to Tiled…",
                             tip="Write the town's terrain, buildings and districts as a Tiled map (.tmj)"),
        inject_event=_action(window, "&Inject Event…", "Ctrl+E", "Make something happen somewhere: who is near "
                             "notices and remembers it"),
        broadcast=_action(window, "&News to the Town…", tip="Tell the whole town, or one district, a piece of news"),
        possess=_action(window, "Play as &Selected Person", "Ctrl+Shift+P", "Become the selected person: click where "
                        "they walk, talk as them in the chat (Esc gives them back)", checkable=True),
        agent_api=_action(window, "&Agent API…", tip="Let outside programs live as people here, over a local API"),
    )
    actions.thinking.setMenuRole(QAction.MenuRole.NoRole)
    actions.play.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
    actions.step.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward))
    actions.step.setShortcuts([QKeySequence("Right"), QKeySequence(".")])
    actions.quit.setMenuRole(QAction.MenuRole.QuitRole)
    # Space and Right must work wherever focus is in the window, the map included.
    for action in (actions.play, actions.step, actions.follow):
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    group = QActionGroup(window)
    group.setExclusive(True)
    for label, rate in SPEEDS:
        tip = "As fast as the machine allows" if rate == 0 else f"{rate:g} sim minute(s) per second"
        speed = _action(window, label, tip=tip, checkable=True)
        speed.setData(rate)
        group.addAction(speed)
        actions.speeds[rate] = speed
    actions.speeds[1.0].setChecked(True)
    actions.speed_group = group
    return actions


def build_menus(window: QMainWindow, actions: Actions) -> None:
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(actions.new)
    file_menu.addAction(actions.open)
    actions.recent_menu = file_menu.addMenu("Open &Recent")
    file_menu.addSeparator()
    file_menu.addAction(actions.save)
    file_menu.addAction(actions.save_as)
    file_menu.addSeparator()
    file_menu.addAction(actions.import_tiled)
    file_menu.addAction(actions.export_tiled)
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)
    view_menu = bar.addMenu("&View")
    actions.docks_menu = view_menu
    view_menu.addAction(actions.zoom_fit)
    view_menu.addAction(actions.follow)
    view_menu.addAction(actions.find)
    view_menu.addSeparator()
    view_menu.addAction(actions.reset_layout)
    view_menu.addSeparator()
    sim_menu = bar.addMenu("&Simulation")
    sim_menu.addAction(actions.play)
    sim_menu.addAction(actions.step)
    speed_menu = sim_menu.addMenu("Sp&eed")
    for speed in actions.speeds.values():
        speed_menu.addAction(speed)
    sim_menu.addSeparator()
    sim_menu.addAction(actions.thinking)
    sim_menu.addSeparator()
    sim_menu.addAction(actions.possess)
    sim_menu.addAction(actions.agent_api)
    sim_menu.addAction(actions.plugins)
    world_menu = bar.addMenu("&World")
    world_menu.addAction(actions.inject_event)
    world_menu.addAction(actions.broadcast)
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(actions.tour)
    help_menu.addAction(actions.controls)
    help_menu.addSeparator()
    help_menu.addAction(actions.llm_status)
    help_menu.addAction(actions.about)


def build_toolbar(window: QMainWindow, actions: Actions) -> tuple[QToolBar, QLabel]:
    toolbar = window.addToolBar("Simulation")
    toolbar.setObjectName("simulationToolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toolbar.addAction(actions.play)
    toolbar.addAction(actions.step)
    toolbar.addSeparator()
    for speed in actions.speeds.values():
        toolbar.addAction(speed)
    toolbar.addSeparator()
    clock = QLabel("—")
    clock.setObjectName("simClock")
    clock.setToolTip("Sim time: day and hour")
    clock.setStyleSheet("font-size:15px;font-weight:bold;padding:0 12px;font-family:monospace")
    toolbar.addWidget(clock)
    toolbar.addSeparator()
    toolbar.addAction(actions.zoom_fit)
    toolbar.addAction(actions.follow)
    return toolbar, clock

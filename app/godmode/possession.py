"""Simulation > Play as Selected Person: the player becomes someone in the town.

The person is handed to the player (``DriveFromOutside``, who="player", no deadline):
at each decision point they wait where they are for the player. A click on the map
walks them there (a building: go in and do what one does there; open ground: the
nearest place); the chat dock talks *as them* to whoever is selected, and the people
there answer as they would anyone. Esc, a right click or the menu again gives them
back to their own brain, as does going to another time or branch. Everything goes
through the bridge as commands, and the engine records each step, so replays and
time travel see the same.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, SignalInstance

from app.common.bridge import EngineBridge, Moment
from app.common.selection import PERSON, Selection
from app.docks.chat import ChatDock
from app.map.tools import MapTools
from engine.contracts import AnswerDecision, BuildingType, DriveFromOutside, WorldSnapshot

# What one goes to a place to do.
ACTIVITY_AT = {
    BuildingType.HOME: "home", BuildingType.APARTMENT: "home", BuildingType.CAFE: "eat", BuildingType.SHOP: "shop",
    BuildingType.OFFICE: "work", BuildingType.WORKSHOP: "work", BuildingType.SCHOOL: "study",
    BuildingType.PARK: "leisure", BuildingType.TOWN_HALL: "social",
}
STAY_MINUTES = 60  # how long they stay before asking the player again


def nearest_building(snapshot: WorldSnapshot, tile: tuple[int, int]) -> int:
    """The standing building whose door is closest to ``tile`` (-1 when there is none)."""
    best, best_d = -1, float("inf")
    for b in snapshot.static.buildings:
        if b.removed:
            continue
        d = (b.entrance[0] - tile[0]) ** 2 + (b.entrance[1] - tile[1]) ** 2
        if d < best_d:
            best, best_d = b.id, d
    return best


class Possession(QObject):
    changed = Signal(int)  # the person played (-1: nobody)

    def __init__(self, bridge: EngineBridge, selection: Selection, tools: MapTools, chat: ChatDock,
                 status: Callable[[str], None], world_loaded: SignalInstance, parent: QObject | None = None):
        super().__init__(parent)
        self.bridge, self.selection, self.tools, self.chat, self.status = bridge, selection, tools, chat, status
        self.person = -1
        tools.dropped.connect(self._tool_dropped)
        world_loaded.connect(lambda _loaded: self._forget())
        bridge.moment_changed.connect(self._on_moment)

    def toggle(self, on: bool) -> None:
        """The menu's checkable action: play the selected person, or stop playing."""
        if on:
            self.possess(self.selection.person)
        else:
            self.release()

    def possess(self, person: int) -> bool:
        snapshot = self.bridge.latest
        if not self.bridge.attached or snapshot is None:
            self.status("Open a world first.")
            return False
        if not 0 <= person < len(snapshot.static.people) or snapshot.static.people[person].removed:
            self.status("Select a person on the map to play as them.")
            return False
        if self.person >= 0:
            self.release()
        self.person = person
        name = snapshot.static.people[person].name
        self.bridge.send(DriveFromOutside(agent=person, driven=True, who="player", deadline_s=0.0))
        self.tools.pick_every(f"You are {name}: click where to walk; select someone to talk to them in the chat",
                              self.walk)
        self.chat.speak_as(person, self.say)
        self.changed.emit(person)
        return True

    def release(self) -> None:
        person, self.person = self.person, -1
        if person < 0:
            return
        if self.bridge.attached:
            self.bridge.send(DriveFromOutside(agent=person, driven=False, who="player"))
        self.chat.speak_as(-1)
        if self.tools.mode == "pick":
            self.tools.drop()
        self.status("They live on their own again.")
        self.changed.emit(-1)

    def _tool_dropped(self) -> None:
        if self.person >= 0:
            self.release()

    def _on_moment(self, moment: Moment) -> None:
        """Another time or branch: who was played there is its own story; the player lets go."""
        if self.person >= 0 and moment.reason in ("seek", "switch"):
            self.release()

    def _forget(self) -> None:
        """A new world: nobody is played (the old engine went with the old world)."""
        if self.person >= 0:
            self.person = -1
            self.chat.speak_as(-1)
            self.changed.emit(-1)

    # ------------------------------------------------------------------ acting

    def _act(self, actions: list[dict[str, object]]) -> bool:
        if self.person < 0 or not self.bridge.attached:
            return False
        self.bridge.send(AnswerDecision(agent=self.person, decision=0, actions=json.dumps(actions),
                                        sent=time.monotonic()))
        return True

    def walk(self, tile: tuple[int, int], hit: tuple[str, int] | None) -> None:
        """A click on the map: walk into that building, to the place of the person clicked, or the nearest."""
        snapshot = self.bridge.latest
        if snapshot is None or self.person < 0:
            return
        building = -1
        if hit is not None and hit[0] == "building":
            building = hit[1]
        elif hit is not None and hit[0] == PERSON:
            self.selection.select(PERSON, hit[1])  # the chat talks to them
            if hit[1] == self.person:
                return
            building = int(snapshot.location[hit[1]])
        if building < 0:
            building = nearest_building(snapshot, tile)
        if building < 0:
            return
        info = snapshot.static.buildings[building]
        activity = ACTIVITY_AT.get(BuildingType(info.type), "leisure")
        if self._act([{"type": "go_to", "place": building, "activity": activity, "minutes": STAY_MINUTES}]):
            self.status(f"Walking to {info.name} ({activity}).")

    def say(self, listener: int, text: str) -> bool:
        return self._act([{"type": "say_to", "person": listener, "text": text}])

"""What the map draws for what is happening in town (``WorldSnapshot.incidents``).

A fire: flames licking over the roof and smoke rising; once out, the building
stands charred under scaffolding until repaired. A festival: bunting over the
place and confetti. A storm: a grey veil and rain over its area. A grand
opening: a banner and balloons. Shapes are computed here, as plain data in world
pixels (y up), and drawn by the scene in a few batched calls; ``now`` moves the
flames, smoke and rain so they animate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.contracts import IncidentView

Colour = tuple[int, int, int, int]
FLAME = ((246, 122, 40, 230), (250, 190, 60, 220), (214, 64, 40, 220))
SMOKE: Colour = (70, 70, 78, 120)
CHARRED: Colour = (30, 24, 22, 150)
SCAFFOLD: Colour = (196, 160, 96, 255)
BUNTING = ((214, 64, 40, 255), (246, 207, 87, 255), (111, 168, 220, 255), (151, 196, 95, 255))
STORM_VEIL: Colour = (60, 72, 100, 70)
RAIN: Colour = (170, 200, 235, 200)
BANNER: Colour = (236, 154, 76, 255)
RAIN_DROPS = 90  # per storm, spread over its area (one batched call)


@dataclass(frozen=True)
class Marks:
    """Shapes in world px: circles (x, y, r, rgba), rectangles (left, bottom, w, h, rgba), line batches
    (points, rgba, width), point batches (points, rgba, size)."""

    circles: list[tuple[float, float, float, Colour]]
    rects: list[tuple[float, float, float, float, Colour]]
    lines: list[tuple[list[tuple[float, float]], Colour, float]]
    points: list[tuple[list[tuple[float, float]], Colour, float]]

    def __bool__(self) -> bool:
        return bool(self.circles or self.rects or self.lines or self.points)


def incident_marks(incidents: tuple[IncidentView, ...], rects: np.ndarray, map_height: int, tile: int,
                   now: float) -> Marks:
    """The shapes for every incident going on; ``rects``: buildings' (left, bottom, right, top) world px."""
    marks = Marks([], [], [], [])
    for incident in incidents:
        box = _box(incident, rects)
        if incident.kind == "fire" and incident.phase == "burning" and box is not None:
            _fire(marks, box, now, incident.id)
        elif incident.phase == "damaged" and box is not None:
            _repairs(marks, box)
        elif incident.kind == "festival" and box is not None:
            _bunting(marks, box, now, incident.id)
        elif incident.kind == "shop" and box is not None:
            _opening(marks, box, now)
        elif incident.kind == "storm":
            cx, cy = (incident.x + 0.5) * tile, (map_height - incident.y - 0.5) * tile
            _storm(marks, cx, cy, incident.radius * tile, now, incident.id)
    return marks


def _box(incident: IncidentView, rects: np.ndarray) -> tuple[float, float, float, float] | None:
    if not 0 <= incident.building < len(rects) or rects[incident.building, 0] < -1e5:
        return None
    left, bottom, right, top = (float(v) for v in rects[incident.building])
    return left, bottom, right, top


def _fire(marks: Marks, box: tuple[float, float, float, float], now: float, seed: int) -> None:
    left, bottom, right, top = box
    width = right - left
    tongues = max(3, int(width / 10))
    for i in range(tongues):
        x = left + (i + 0.5) * width / tongues
        flicker = math.sin(now * 9.0 + i * 1.7 + seed)
        height = (top - bottom) * (0.35 + 0.15 * flicker)
        marks.circles.append((x, top - 2 + height * 0.3, 5.0 + 2.0 * flicker, FLAME[i % len(FLAME)]))
        marks.circles.append((x + 2 * flicker, top + height * 0.6, 3.5 + 1.5 * flicker, FLAME[(i + 1) % len(FLAME)]))
    marks.rects.append((left, bottom, width, top - bottom, (246, 122, 40, 60)))  # the glow on the walls
    for i in range(6):  # puffs of smoke rising and drifting
        rise = ((now * 14.0 + i * 11.0) % 66.0)
        x = left + width / 2 + math.sin(now * 0.8 + i) * 8.0 + rise * 0.3
        marks.circles.append((x, top + 10 + rise, 5.0 + rise * 0.12, SMOKE))


def _repairs(marks: Marks, box: tuple[float, float, float, float]) -> None:
    left, bottom, right, top = box
    marks.rects.append((left, bottom, right - left, top - bottom, CHARRED))
    poles = [(left + 1, bottom), (left + 1, top + 4), (right - 1, bottom), (right - 1, top + 4)]
    planks = [(left, bottom + (top - bottom) * f, right, bottom + (top - bottom) * f) for f in (0.33, 0.66, 1.0)]
    points = poles + [p for x0, y0, x1, y1 in planks for p in ((x0, y0), (x1, y1))]
    marks.lines.append((points, SCAFFOLD, 1.5))


def _bunting(marks: Marks, box: tuple[float, float, float, float], now: float, seed: int) -> None:
    left, bottom, right, top = box
    flags = max(4, int((right - left) / 8))
    for i in range(flags):
        x = left + (i + 0.5) * (right - left) / flags
        sway = math.sin(now * 3.0 + i) * 1.5
        marks.circles.append((x, top + 4 + sway, 2.6, BUNTING[i % len(BUNTING)]))
    marks.lines.append(([(left, top + 6), (right, top + 6)], (120, 90, 60, 255), 1.0))
    confetti = [(left + ((i * 37 + seed * 13) % 97) / 97 * (right - left),
                 bottom + (((i * 53) % 89) / 89 * (top - bottom) + now * 20.0) % (top - bottom))
                for i in range(30)]
    for k, colour in enumerate(BUNTING):
        marks.points.append((confetti[k::len(BUNTING)], colour, 2.0))


def _opening(marks: Marks, box: tuple[float, float, float, float], now: float) -> None:
    left, _bottom, right, top = box
    marks.rects.append((left - 2, top + 2, right - left + 4, 6, BANNER))
    for i, colour in enumerate(BUNTING[:3]):
        x = left + (i + 1) * (right - left) / 4
        y = top + 16 + math.sin(now * 2.0 + i) * 2.0
        marks.lines.append(([(x, top + 8), (x, y)], (90, 90, 90, 255), 1.0))
        marks.circles.append((x, y + 3, 3.5, colour))


def _storm(marks: Marks, cx: float, cy: float, radius: float, now: float, seed: int) -> None:
    marks.circles.append((cx, cy, radius, STORM_VEIL))
    drops: list[tuple[float, float]] = []
    for i in range(RAIN_DROPS):
        angle = ((i * 2654435761 + seed) % 1000) / 1000 * 2 * math.pi
        reach = math.sqrt(((i * 40503) % 997) / 997) * radius
        x = cx + math.cos(angle) * reach
        fall = (now * 180.0 + i * 17.0) % 40.0
        y = cy + math.sin(angle) * reach + 20.0 - fall
        drops.extend(((x, y), (x - 2.0, y - 7.0)))
    marks.lines.append((drops, RAIN, 1.0))

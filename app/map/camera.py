"""The map camera: where the view looks and how far it is zoomed. Pure arithmetic.

World coordinates are arcade's: pixels of the unscaled map with y pointing *up*
(tile row 0, the top of the map in world data, is at the top of the world).
Screen coordinates are Qt's logical pixels with y pointing *down*. Every
conversion between the two goes through this class, so the flip lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_ZOOM = 0.04
MAX_ZOOM = 8.0


@dataclass
class MapCamera:
    center_x: float = 0.0
    center_y: float = 0.0
    zoom: float = 1.0  # screen pixels per world pixel
    width: float = 1.0  # viewport, logical screen pixels
    height: float = 1.0
    fitted: tuple[float, ...] | None = None  # the last fit's rectangle and margin, and the view it gave

    def resize(self, width: float, height: float) -> None:
        """A view still as the last ``fit`` left it is fitted again (the town stays whole and as big as it
        can be, e.g. when a dock is closed); a view the user zoomed or panned keeps its centre and zoom."""
        size = (max(1.0, float(width)), max(1.0, float(height)))
        if size == (self.width, self.height):
            return
        as_fitted = self.fitted is not None and self.fitted[5:] == (self.zoom, self.center_x, self.center_y)
        self.width, self.height = size
        if as_fitted and self.fitted is not None:
            self.fit(*self.fitted[:5])

    def screen_to_world(self, sx: float, sy: float) -> tuple[float, float]:
        return (self.center_x + (sx - self.width / 2) / self.zoom,
                self.center_y - (sy - self.height / 2) / self.zoom)

    def world_to_screen(self, wx: float, wy: float) -> tuple[float, float]:
        return ((wx - self.center_x) * self.zoom + self.width / 2,
                self.height / 2 - (wy - self.center_y) * self.zoom)

    def world_rect(self) -> tuple[float, float, float, float]:
        """left, right, bottom, top of what the viewport shows, in world pixels."""
        half_w, half_h = self.width / 2 / self.zoom, self.height / 2 / self.zoom
        return (self.center_x - half_w, self.center_x + half_w, self.center_y - half_h, self.center_y + half_h)

    def zoom_about(self, sx: float, sy: float, factor: float) -> None:
        """Zoom by ``factor`` keeping the world point under screen point (sx, sy) fixed."""
        before = self.screen_to_world(sx, sy)
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom * factor))
        after = self.screen_to_world(sx, sy)
        self.center_x += before[0] - after[0]
        self.center_y += before[1] - after[1]

    def pan_pixels(self, dx: float, dy: float) -> None:
        """Move the view as if the map were dragged by (dx, dy) screen pixels."""
        self.center_x -= dx / self.zoom
        self.center_y += dy / self.zoom

    def look_at(self, wx: float, wy: float) -> None:
        self.center_x, self.center_y = float(wx), float(wy)

    def fit(self, left: float, bottom: float, width: float, height: float, margin: float = 0.04) -> None:
        """Show the whole rectangle, centred, with a small margin."""
        width, height = max(width, 1.0), max(height, 1.0)
        zoom = min(self.width / width, self.height / height) * (1 - 2 * margin)
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self.look_at(left + width / 2, bottom + height / 2)
        self.fitted = (left, bottom, width, height, margin, self.zoom, self.center_x, self.center_y)

    def clamp_to(self, left: float, bottom: float, width: float, height: float) -> None:
        """Keep the centre over the map so the city can't be panned out of sight."""
        self.center_x = min(max(self.center_x, left), left + width)
        self.center_y = min(max(self.center_y, bottom), bottom + height)

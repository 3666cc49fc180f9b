"""Which names the social graph can print without one covering another (no Qt widgets).

Names are tried in order of importance (the selected person, then their circle,
then the most central) and a name is printed only where its box is clear of
those already printed: a crowded corner shows fewer names, never a smudge.
The rest are a hover away (each node's tooltip names its person).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Box = tuple[float, float, float, float]  # left, top, right, bottom in pixels
LIFT = 7.0  # the name sits this far above the node's centre


def label_box(x: float, y: float, width: float, height: float) -> Box:
    return (x - width / 2, y - LIFT - height, x + width / 2, y - LIFT)


def _overlaps(box: Box, other: Box) -> bool:
    return box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]


def clear_labels(pixels: np.ndarray, texts: Sequence[str], order: Sequence[int],
                 measure: Callable[[str], tuple[float, float]]) -> list[int]:
    """Indices (into ``pixels``/``texts``) of the names to print, tried in ``order``.

    ``pixels``: (k, 2) node centres on screen; ``measure`` gives a text's width and height.
    """
    kept: list[int] = []
    boxes: list[Box] = []
    for i in order:
        width, height = measure(texts[i])
        box = label_box(float(pixels[i, 0]), float(pixels[i, 1]), width + 4, height)
        if any(_overlaps(box, other) for other in boxes):
            continue
        kept.append(int(i))
        boxes.append(box)
    return kept

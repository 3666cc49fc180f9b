"""How each activity drains or refills the four needs, per sim minute.

Tuned so an ordinary day balances: ~16 waking hours drain energy that ~8 hours of
sleep restore; hunger asks for three meals; social and fun want a little company
and leisure most days. Rows follow ``Activity`` order; columns follow NEEDS.
"""

from __future__ import annotations

import numpy as np

from engine.contracts.enums import Activity

_PER_MINUTE: dict[Activity, tuple[float, float, float, float]] = {
    #                    energy    hunger    social    fun
    Activity.SLEEP:    (+0.00200, -0.00045, -0.00010, +0.00000),
    Activity.HOME:     (-0.00030, -0.00110, -0.00070, +0.00010),
    Activity.TRAVEL:   (-0.00090, -0.00130, -0.00060, -0.00030),
    Activity.WORK:     (-0.00100, -0.00130, -0.00030, -0.00080),
    Activity.EAT:      (-0.00020, +0.02800, +0.00150, +0.00100),
    Activity.SHOP:     (-0.00080, -0.00120, +0.00080, +0.00350),
    Activity.LEISURE:  (-0.00060, -0.00120, +0.00080, +0.00700),
    Activity.SOCIAL:   (-0.00060, -0.00120, +0.00900, +0.00450),
    Activity.STUDY:    (-0.00090, -0.00130, -0.00010, -0.00050),
}

RATES = np.array([_PER_MINUTE[a] for a in Activity], dtype=np.float32)
FUN = 3  # the column of fun in NEEDS order


FunBoost = tuple[np.ndarray, np.ndarray]  # (people, how much faster their fun refills)


def leisure_fun_boost(activity: np.ndarray, location: np.ndarray, fun_factor: np.ndarray) -> FunBoost | None:
    """Who is at leisure inside a building and how much faster their fun refills there (a nice park),
    or None when nobody is. Only those people: a multiplier for everyone would be 1 for nearly all."""
    inside = np.flatnonzero((activity == Activity.LEISURE) & (location >= 0) & (location < len(fun_factor)))
    if not inside.size:
        return None
    return inside, fun_factor[location[inside]].astype(np.float32, copy=False)


def update_needs(needs: np.ndarray, activity: np.ndarray, minutes: float, fun_boost: FunBoost | None = None) -> None:
    """In place: apply each person's activity for ``minutes`` and keep needs in [0, 1].
    ``fun_boost``: whose fun refills faster, and by how much (see ``leisure_fun_boost``)."""
    # ``take`` gathers the rows several times faster than fancy indexing with the int8 activity codes.
    change = np.take(RATES * np.float32(minutes), activity, axis=0)
    if fun_boost is not None:
        people, factor = fun_boost
        change[people, FUN] *= factor
    needs += change
    np.clip(needs, 0.0, 1.0, out=needs)

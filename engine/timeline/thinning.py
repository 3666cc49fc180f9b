"""Keep checkpoints dense recently and sparse long ago, within a size budget.

Ages are in sim minutes behind the newest checkpoint of the same branch:
everything from the last two hours, one per hour for the last day, one per six
hours for the week before, one per day before that (so a month of sim time holds
about 60 of them, not 150). Then, while over budget, the oldest unprotected go first.
User checkpoints, fork points and each branch's first checkpoint are never dropped.
"""

from __future__ import annotations

from engine.state.timeline import PROTECTED_KINDS, Checkpoint

TIERS = ((120, 0), (24 * 60, 60), (8 * 24 * 60, 6 * 60), (None, 24 * 60))  # (up to this age, keep one per this many minutes)


def thin(checkpoints: list[Checkpoint], minutes_per_tick: float, budget_bytes: int) -> list[Checkpoint]:
    keep: list[Checkpoint] = []
    by_branch: dict[int, list[Checkpoint]] = {}
    for c in checkpoints:
        by_branch.setdefault(c.branch, []).append(c)
    for items in by_branch.values():
        items.sort(key=lambda c: (c.tick, c.id))
        newest = items[-1].tick
        seen_slots: set[tuple[int, int]] = set()
        for i, c in enumerate(items):
            age = (newest - c.tick) * minutes_per_tick
            protected = i == 0 or c.kind in PROTECTED_KINDS
            for tier, (limit, spacing) in enumerate(TIERS):
                if limit is None or age <= limit:
                    slot = (tier, int(c.tick * minutes_per_tick // spacing)) if spacing else (tier, c.id)
                    break
            if protected or slot not in seen_slots:
                keep.append(c)
                seen_slots.add(slot)
    keep.sort(key=lambda c: (c.tick, c.id))
    total = sum(c.size for c in keep)
    for c in list(keep):
        if total <= budget_bytes:
            break
        if c.kind in PROTECTED_KINDS or _first_of_branch(c, keep):
            continue
        keep.remove(c)
        total -= c.size
    return keep


def _first_of_branch(c: Checkpoint, keep: list[Checkpoint]) -> bool:
    return min((k.tick, k.id) for k in keep if k.branch == c.branch) == (c.tick, c.id)

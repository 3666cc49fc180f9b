"""A question put to a world's people from outside a run: `townsfolk ask` and the window's Survey dock.

The world is opened at its saved moment, the question asked (answers on the model take a
few ticks, run in lockstep), and the answers returned as rows. Nothing is written unless
``save_to`` is given: then the world is saved with the talk in its history and memories.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from engine.experiments.interviews import Answer, choose, interview
from engine.experiments.run import RunSession
from engine.llm.backend import LLMConfig
from engine.persistence.world_save import save_pair
from engine.state.world import World


def ask_world(world: World, world_path: str | Path | None, question: str, who: str | Sequence[str] = "all",
              scale: tuple[int, int] | None = None, llm: LLMConfig | None = None, seed: int = 0,
              save_to: str | Path | None = None) -> list[Answer]:
    """Ask ``question`` of ``who`` ("all", "sample:N" or names) in ``world``; one answer per person."""
    if not question.strip():
        raise ValueError("ask a question")
    if scale is not None and scale[0] >= scale[1]:
        raise ValueError(f"a scale runs from low to high, not {scale[0]}-{scale[1]}")
    session = RunSession(world, Path(world_path) if world_path else None, None, llm or LLMConfig(), minds=True,
                         checkpoint_minutes=0)
    try:
        people = choose(session.sim, who, seed)
        answers = interview(session.sim, question.strip(), people, session.apply, session.step, scale)
        if save_to is not None:
            session.sim.freeze()
            save_pair(session.sim.world, session.memory, save_to)
        return answers
    finally:
        session.close()

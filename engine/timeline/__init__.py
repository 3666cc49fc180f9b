"""Time travel: checkpoints, branches, and exact replay from recorded answers."""

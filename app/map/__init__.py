"""The Arcade-rendered city map: the only place that imports arcade."""

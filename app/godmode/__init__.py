"""Changing the world: edits and their undo, events and news, time travel."""

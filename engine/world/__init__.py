"""The city: terrain, districts, neighbourhoods, lots, buildings and paths."""

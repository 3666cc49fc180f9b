"""Making a city: layout, buildings, the cast, names, paths and props; checks; Tiled maps and specs.

The city's data itself lives in ``engine.state.city``.
"""

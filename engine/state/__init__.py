"""The floor: plain data every part of the engine shares, and nothing that runs the town.

- ``clock``         sim time: ticks, minutes, days, weekdays
- ``person``        a person's profile (who they are, not what they are doing)
- ``sexes``         a sex from a first name (``first_names.toml``), for the generator and old worlds
- ``relationships`` who knows whom: ties and their short histories
- ``city``          the city's shape: terrain, districts, lots, buildings, props, doors
- ``thoughts``      a thought as the world keeps it (prompt, answer, cost)
- ``timeline``      branches and checkpoints of one world
- ``world``         the whole world as it is saved

It imports nothing from the engine but ``engine.contracts``, so every layer
above may use it.
"""

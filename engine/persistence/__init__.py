"""World files: one SQLite file per world, written through SQLModel, saved atomically."""

"""World files and the user's files: opening and generating worlds, Tiled maps, crash recovery, settings, folders."""

"""The main window: its menus, toolbar, status bar and the places of its docks."""

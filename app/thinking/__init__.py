"""How the townsfolk think, on the GUI side: the brain settings, the LLM status and their dialogs."""

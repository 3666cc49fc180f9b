"""Plugins on the GUI side: the plugin manager (Simulation > Plugins…) and word of plugins switched off."""

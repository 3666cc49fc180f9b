"""What every part of the window shares: the engine bridge, the selection, the events seen, words and art."""

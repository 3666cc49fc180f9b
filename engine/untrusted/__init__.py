"""Input from outside (world files, maps, personas, model answers): its limits, bounded readers, safe text."""

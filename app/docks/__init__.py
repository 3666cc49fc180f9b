"""The dock widgets around the map: inspector, timeline, social graph, event log, ..."""

"""The engine thread: play/pause/step control, command inbox, snapshot and event outbox; minds for a simulation."""

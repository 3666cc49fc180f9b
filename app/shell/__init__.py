"""The app's owner and its start-up: the controller, the welcome view, crash-safe launch and the smoke test."""

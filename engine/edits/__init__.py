"""God mode: validate and apply edits, each returning the edit that undoes it."""

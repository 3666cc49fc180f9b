"""Text from outside made safe to show and print: no control or format characters, capped.

A name may carry a terminal escape (ESC [ ... m), a carriage return that hides what
came before it, or a bidi override that reverses what follows; none of them is ever
wanted in a name or a bio, so they are dropped on import and on load.
"""

from __future__ import annotations

import re

from engine.untrusted.limits import MAX_NAME_CHARS, MAX_TEXT_CHARS

# C0 and C1 controls (tab and newline kept in running text), zero-width and bidi controls, BOM, lone surrogates.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff"
_UNSAFE_TEXT = re.compile(f"[{_CONTROLS}]")
_UNSAFE_NAME = re.compile(f"[\t\n{_CONTROLS}]")
_SPACES = re.compile(r"\s+")
# Whole terminal sequences (CSI "ESC [ ... m", OSC "ESC ] ... BEL"), so no stray "[31m" is left behind.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]")


def clean_text(text: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    """``text`` without control and format characters (newlines and tabs stay), at most ``max_chars``."""
    return _UNSAFE_TEXT.sub("", _ESCAPES.sub("", text[: max_chars * 2]))[:max_chars]


def clean_name(text: str, max_chars: int = MAX_NAME_CHARS) -> str:
    """A name as it may be shown and printed: one line, single spaces, no control characters, capped."""
    name = _UNSAFE_NAME.sub(" ", _ESCAPES.sub("", text[: max_chars * 2]))
    if not name.isprintable():  # what the controls above leave: unassigned code points, private use, odd spaces
        name = "".join(char if char.isprintable() else " " for char in name)
    return _SPACES.sub(" ", name).strip()[:max_chars]


def is_clean_name(text: str) -> bool:
    return clean_name(text) == text


QUOTE_OPEN, QUOTE_CLOSE = "\u00ab", "\u00bb"  # « »: rare in town text, and unambiguous to a model


def quote(text: object, max_chars: int = 300) -> str:
    """Words from people or files as quoted material for a prompt: «one line, capped», with any « » inside
    turned into ‹ › so the quote cannot be closed early, and no control characters."""
    words = clean_name(str(text), max_chars * 2).replace(QUOTE_OPEN, "\u2039").replace(QUOTE_CLOSE, "\u203a")
    if len(words) > max_chars:
        words = words[: max_chars - 1].rstrip() + "\u2026"
    return f"{QUOTE_OPEN}{words}{QUOTE_CLOSE}"

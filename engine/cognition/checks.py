"""Checks on a model's answer before it touches the world.

A schema makes an answer the right shape; it does not make it sense. A small model
fills a "line" with numbers, hex or the prompt's own words, repeats itself and
runs on; it plans steps at hours already gone. Each check here returns the reason
an answer (or a part of it) is refused, in a few words, or "" when it may be used.
A refused answer is never applied: the rule brain does that step instead and the
refusal is counted as a fallback with its reason.

The checks are pure functions of the answer and of what the engine already knows,
so a replay refuses exactly what the live run refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# Reasons, as counted in the fallbacks' reasons (keep them short and stable).
NOT_WORDS = "not words"
ECHO = "echoes the prompt"
REPEAT = "repeats a recent line"
RUNS_ON = "runs on"
UNKNOWN_CHOICE = "not a choice offered"
PAST_TIME = "a time already past"
OUT_OF_ORDER = "steps out of order"
OUT_OF_RANGE = "out of range"
NO_STEPS = "an empty plan"

MAX_WORDS = 40  # a spoken line longer than this is a speech, not a turn in a chat
MIN_WORDS = 2
ECHO_SHINGLE = 4  # words in a row shared with the prompt that count as copying it
ECHO_SHARE = 0.5  # share of a line's shingles found in the prompt that makes it an echo
REPEAT_OVERLAP = 0.8  # word overlap (Jaccard) with a recent line that makes it a repeat

_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:['\u2019-][A-Za-z\u00c0-\u024f]+)*")
# Hex, brackets and operators, camelCase, calls like f(x), addresses: code and markup, not speech.
_CODE = re.compile(r"0x[0-9a-fA-F]|[{}\[\]<>#=_\\|@$^~`*]|\b[a-z]+[A-Z][a-zA-Z]*\b|\w\(|https?:")
_QUOTED = re.compile("\u00ab[^\u00ab\u00bb]*\u00bb")
_LABEL = re.compile("^\\s*\u00ab?([A-Z][\\w'\u00c0-\u024f]*(?: [A-Z][\\w'\u00c0-\u024f]*)?)\u00bb?\\s*:")
_VOWEL = re.compile(r"[aeiouyAEIOUY\u00c0-\u024f]")
# Words of the instructions themselves: a line that talks about them is reading the prompt back.
_META = re.compile(r"\b(next line|json|schema|the conversation so far|quoted material|inner voice|"
                   r"warmth|in character)\b", re.IGNORECASE)


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def not_words(text: str) -> bool:
    """True when ``text`` is not the words of a sentence: numbers, hex, code, symbols, or letters without vowels."""
    stripped = text.strip()
    found = _WORD.findall(stripped)
    if len(found) < MIN_WORDS or _CODE.search(stripped):
        return True
    dense = stripped.replace(" ", "")
    if sum(len(w) for w in found) < 0.75 * len(dense):  # mostly digits and punctuation
        return True
    if sum(c.isdigit() for c in dense) > 0.1 * len(dense):
        return True
    spoken = [w for w in found if len(w) > 1]
    wordlike = [w for w in spoken if _VOWEL.search(w) and len(w) <= 20 and not (w.isupper() and len(w) > 2)]
    return len(wordlike) < 0.8 * max(1, len(spoken))


def _shingles(tokens: Sequence[str], size: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}


def echoes(text: str, prompt: str) -> bool:
    """True when ``text`` reads back the prompt's own words: its instructions, labels and layout, or a line
    copied from it whole. Otherwise quoted material (memories, what was said, names) is left out: retelling
    a memory is what talk is for, and saying a line again is ``repeats``' business."""
    if _META.search(text):
        return True
    mine = words(text)
    if not mine:
        return False
    # "Theo: ..." writes the prompt's script layout (a speaker's name, a colon) instead of one line of speech.
    label = _LABEL.match(text)
    if label and label.group(1).lower() in prompt.lower():
        return True
    # A line copied out of the prompt as it stands, quotes included, is read back, not said: a memory read
    # out character for character, or a bare name ("Jakub Kowalski"). Retelling words it anew.
    if " ".join(text.lower().split()) in " ".join(prompt.lower().split()):
        return True
    theirs = words(_QUOTED.sub(" ", prompt))
    if len(mine) < ECHO_SHINGLE:  # a short line: an echo if it stands in the prompt's own words word for word
        return f" {' '.join(mine)} " in f" {' '.join(theirs)} "
    shingles = _shingles(mine, ECHO_SHINGLE)
    copied = shingles & _shingles(theirs, ECHO_SHINGLE)
    return len(copied) >= ECHO_SHARE * len(shingles)


def repeats(text: str, recent: Iterable[str]) -> bool:
    """True when ``text`` says again, nearly word for word, one of the ``recent`` lines."""
    mine = set(words(text))
    if not mine:
        return False
    for line in recent:
        theirs = set(words(line))
        if theirs and len(mine & theirs) / len(mine | theirs) >= REPEAT_OVERLAP:
            return True
    return False


def runs_on(text: str) -> bool:
    """True when ``text`` goes on and on: too many words, or the same three words over and over."""
    tokens = words(text)
    if len(tokens) > MAX_WORDS:
        return True
    trigrams = [tuple(tokens[i:i + 3]) for i in range(len(tokens) - 2)]
    if len(trigrams) != len(set(trigrams)):
        return True
    return any(tokens[i] == tokens[i + 1] == tokens[i + 2] for i in range(len(tokens) - 2))


def speech_problem(text: str, prompt: str, recent: Iterable[str] = ()) -> str:
    """Why ``text`` may not be said or kept as someone's words, or ""."""
    if not_words(text):
        return NOT_WORDS
    if runs_on(text):
        return RUNS_ON
    if repeats(text, recent):
        return REPEAT
    if echoes(text, prompt):
        return ECHO
    return ""


def text_problem(text: str) -> str:
    """Why a thought in words (a question, an insight, a reason) is unusable, or ""."""
    if not_words(text):
        return NOT_WORDS
    if runs_on(text):
        return RUNS_ON
    return ""


def steps_problem(steps: Sequence[tuple[int, str]], choices: Iterable[str], now: int) -> str:
    """Why a plan's (time, choice) steps may not be followed, or "": each a choice offered, none before
    ``now`` (hours, or -1 for steps timed as durations), and the times strictly rising."""
    offered = set(choices)
    if not steps:
        return NO_STEPS
    last = -1
    for when, choice in steps:
        if choice not in offered:
            return UNKNOWN_CHOICE
        if now >= 0:
            if when < now or when > 23:
                return PAST_TIME
            if when <= last:
                return OUT_OF_ORDER
            last = when
    return ""


def rating_problem(value: object, low: int = 1, high: int = 10) -> str:
    """Why an importance rating is unusable, or ""."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return OUT_OF_RANGE
    return ""

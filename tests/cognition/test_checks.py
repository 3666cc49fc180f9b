"""The checks a model's answer must pass before it touches the world, on what small models really say."""

from __future__ import annotations

from engine.cognition import checks

PROMPT = """Name: «Rosa Alvarez» (age 41), «cafe owner»; outgoing
It is 09:15 at «The Copper Kettle». Rosa is talking with «Theo Brandt» (friend, affinity +0.5).
The conversation so far:
«Theo»: «Morning Rosa, the usual please.»
Write what Rosa says next: one or two short, natural sentences in plain words, something new."""


PROMPT2 = PROMPT + """
Say whether the conversation should end after it, and how warm Rosa feels towards Theo right now."""


def test_retelling_a_memory_is_not_an_echo():
    prompt = PROMPT + "\nRosa remembers:\n[0] «Theo told me: the mill closes on Friday after forty years»"
    assert checks.speech_problem("Theo told me the mill closes on Friday after forty years!", prompt) == ""


def test_a_line_copied_whole_from_the_prompt_is_an_echo_even_from_quotes():
    prompt = PROMPT + "\nYou are talking with «Jakub Kowalski».\n[0] «Theo told me: the mill closes on Friday»"
    assert checks.speech_problem("Jakub Kowalski", prompt) == checks.ECHO  # a bare name, seen from a tiny model
    assert checks.speech_problem("Theo told me: the mill closes on Friday", prompt) == checks.ECHO
    assert checks.speech_problem("Jakub Kowalski, good to see you again!", prompt) == ""
    assert checks.speech_problem("Morning Theo!", prompt) == ""  # a greeting answered in kind is not copied


def test_a_line_in_the_prompts_script_layout_is_an_echo():
    said = "Theo: 10:09 works at Willowmere Hall and is running for the village council on a promise"
    assert checks.speech_problem(said, PROMPT) == checks.ECHO  # seen from a tiny model: a name, a colon
    assert checks.speech_problem("Rosa: Coming right up, Theo.", PROMPT) == checks.ECHO
    assert checks.speech_problem("Note: the usual is on me today, Theo.", PROMPT) == ""  # no one called Note


def test_lines_seen_from_a_tiny_model_are_refused_with_their_reason():
    assert checks.speech_problem("2, {n}L", PROMPT) == checks.NOT_WORDS
    assert checks.speech_problem("#0x738a5d54,CJIS:", PROMPT) == checks.NOT_WORDS
    assert checks.speech_problem("1234 5678 91011", PROMPT) == checks.NOT_WORDS
    assert checks.speech_problem("def f(x): return x", PROMPT) == checks.NOT_WORDS
    assert checks.speech_problem("Theo's next line", PROMPT) == checks.ECHO
    assert checks.speech_problem("Say whether the conversation should end after it and how warm", PROMPT2) \
        == checks.ECHO
    assert checks.speech_problem("Morning Rosa, the usual please.", PROMPT,
                                 ["Morning Rosa, the usual please."]) == checks.REPEAT
    assert checks.speech_problem("the cake the cake the cake the cake is good", PROMPT) == checks.RUNS_ON
    assert checks.speech_problem(" ".join(["word"] * 3 + ["and more words"] * 15), PROMPT) == checks.RUNS_ON


def test_ordinary_speech_passes():
    for line in ("Good morning, Theo! A flat white as always?", "I heard the mill is closing next week.",
                 "Café au lait for you today?", "We should walk to the park after lunch."):
        assert checks.speech_problem(line, PROMPT, ["Morning Rosa, the usual please."]) == "", line


def test_plan_steps_must_be_offered_to_come_and_in_order():
    offered = ["sleep at home", "work at The Copper Kettle", "eat at The Crooked Lantern"]
    assert checks.steps_problem([(9, "work at The Copper Kettle"), (13, "eat at The Crooked Lantern")], offered, 9) == ""
    assert checks.steps_problem([(8, "work at The Copper Kettle")], offered, 9) == checks.PAST_TIME
    assert checks.steps_problem([(12, "eat at The Crooked Lantern"), (10, "sleep at home")], offered, 9) \
        == checks.OUT_OF_ORDER
    assert checks.steps_problem([(10, "sleep at The Crooked Lantern")], offered, 9) == checks.UNKNOWN_CHOICE
    assert checks.steps_problem([], offered, 9) == checks.NO_STEPS
    assert checks.steps_problem([(15, "eat at The Crooked Lantern"), (5, "sleep at home")], offered, -1) == ""


def test_importance_in_range_only():
    assert checks.rating_problem(7) == ""
    for bad in (0, 11, 10.5, "7", True, None):
        assert checks.rating_problem(bad) == checks.OUT_OF_RANGE

"""The words of the thinking path: LLM health states, LLM failure kinds, thought kinds.

They are ``StrEnum`` because the plain strings predate them: a member equals, hashes,
formats and serialises (json, msgpack) exactly like its value, so saved worlds, thought
records and state hashes are the same whether a caller writes ``LLMHealth.READY`` or
``"ready"``. Thought kinds and failure kinds are kept in the thought records of saved
worlds, health states in the CLI's JSON and the app's status words: never rename a value.
"""

from enum import StrEnum


class LLMHealth(StrEnum):
    """How thinking stands, as the status bar, the CLI and the welcome page tell it."""

    READY = "ready"
    NO_SERVER = "no_server"  # nothing answers at the address, or it is not a model server
    NO_MODEL = "no_model"  # the server answers but lacks the model
    DEGRADED = "degraded"  # some hosts of a pool answer, some do not; or the model's answers are unusable
    NOT_ANSWERING = "not_answering"  # the server takes the call but no whole answer comes within the deadline
    OFF = "off"  # the rule brain: no LLM configured


class LLMErrorKind(StrEnum):
    """What went wrong with one call (``LLMError.kind``); decides retrying and benching a host."""

    UNAVAILABLE = "unavailable"  # no server, connection refused or reset
    MODEL_MISSING = "model_missing"  # the server answers but lacks the model
    TIMEOUT = "timeout"  # slower than the configured timeout
    SERVER_ERROR = "server_error"  # 5xx or an error line from the server
    BAD_OUTPUT = "bad_output"  # not JSON, or JSON that breaks the schema, even after the repair attempt
    NOT_SENT = "not_sent"  # a queued call dropped because the server had stopped answering meanwhile
    REPLAYED = "replay"  # a replay reading back a failure the original run recorded (no model is asked)
    CANCELLED = "cancelled"  # stopped on purpose: made way for a chat, or its answer would come too late to use


class ThoughtKind(StrEnum):
    """What a person (or the console) asks the model for; thought records keep it."""

    PLAN_DAY = "plan_day"
    PLAN_HOURS = "plan_hours"
    ACTIONS = "actions"  # the next few minutes, planned at the finest grain
    REACT = "react"  # seeing someone: talk, or carry on?
    CONVERSE = "converse"  # one line of a conversation
    IMPORTANCE = "importance"  # how poignant a new memory is, 1..10
    REFLECT_QUESTIONS = "reflect_questions"
    REFLECT_INSIGHTS = "reflect_insights"
    CHAT = "chat"  # the player talking to a person
    CONSOLE = "console"  # the god-mode console turning words into edits
    CIVIC_VOTE = "civic_vote"
    CIVIC_PROPOSAL = "civic_proposal"
    ATTEND = "attend"  # heard of an event: go, or not?

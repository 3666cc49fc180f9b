"""The agent API's messages, as pydantic models: they validate input and publish the JSON Schema."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.outside import ACTIVITIES, LIMITS

ActivityName = Literal["sleep", "home", "work", "eat", "shop", "leisure", "social", "study"]
assert set(ActivityName.__args__) == set(ACTIVITIES)  # type: ignore[attr-defined]  # kept in step with the engine's
Minutes = Annotated[int, Field(ge=1, le=LIMITS.minutes, description="how long, in sim minutes")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoTo(_Strict):
    """Walk to a place (a building id from /v1/places) and do ``activity`` there."""

    type: Literal["go_to"]
    place: int = Field(ge=0)
    activity: ActivityName = "leisure"
    minutes: Minutes = 30


class Do(_Strict):
    """Do ``activity`` where they are."""

    type: Literal["do"]
    activity: ActivityName = "leisure"
    minutes: Minutes = 30


class SayTo(_Strict):
    """Say something to someone in sight; they answer as they would anyone."""

    type: Literal["say_to"]
    person: int = Field(ge=0)
    text: str = Field(min_length=1, max_length=LIMITS.say)


class Remember(_Strict):
    type: Literal["remember"]
    text: str = Field(min_length=1, max_length=LIMITS.remember)


class Plan(_Strict):
    type: Literal["plan"]
    text: str = Field(min_length=1, max_length=LIMITS.plan)


class Recall(_Strict):
    """Memories about ``query`` to be included in the next decision's perception."""

    type: Literal["recall"]
    query: str = Field(min_length=1, max_length=LIMITS.query)
    k: int = Field(default=5, ge=1, le=LIMITS.recall)


Action = Annotated[GoTo | Do | SayTo | Remember | Plan | Recall, Field(discriminator="type")]


class Answer(_Strict):
    """The actions for decision ``decision`` (0: steer them now, whatever they are doing)."""

    decision: int = Field(ge=0)
    actions: list[Action] = Field(max_length=LIMITS.actions)


class Register(_Strict):
    """Claim a person, by id or full name; ``deadline_s``: how long each decision waits for the answer."""

    person: int | str
    deadline_s: float = Field(default=2.0, gt=0, le=60)


class Registered(BaseModel):
    agent: int
    name: str
    token: str
    deadline_s: float


class Decision(BaseModel):
    """A decision point: what the person perceives now; answer before ``deadline_s`` has passed."""

    type: Literal["decision"] = "decision"
    decision: int
    tick: int
    deadline_s: float
    perception: dict[str, Any]


class OutcomeMessage(BaseModel):
    """How a decision ended: ``ok``, or ``late`` / ``invalid`` (the rule brain decided) with the reason."""

    type: Literal["outcome"] = "outcome"
    decision: int
    tick: int
    status: str
    reason: str = ""


class Accepted(BaseModel):
    accepted: int


class Problem(BaseModel):
    error: str


class Place(BaseModel):
    id: int
    name: str
    kind: str
    opens: int
    closes: int


class Resident(BaseModel):
    id: int
    name: str
    occupation: str
    driven: bool


MESSAGES: dict[str, type[BaseModel]] = {
    "Register": Register, "Registered": Registered, "Decision": Decision, "Answer": Answer,
    "Outcome": OutcomeMessage, "Accepted": Accepted, "Problem": Problem, "Place": Place, "Resident": Resident,
}

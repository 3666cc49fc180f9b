"""The agent API over real HTTP and WebSocket on loopback: register, perceive, act, and every refusal."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from engine import api
from engine.agent_server import AgentServer, ServerError
from engine.agent_server.app import Limits
from engine.agent_server.schemas import Decision, OutcomeMessage
from engine.contracts.events import ConversationHeld, OutsideDecided


def _register(client: httpx.Client, person: int | str, deadline_s: float = 10.0) -> dict[str, Any]:
    r = client.post("/v1/register", json={"person": person, "deadline_s": deadline_s})
    assert r.status_code == 201, r.text
    return r.json()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _next_decision(client: httpx.Client, token: str) -> dict[str, Any]:
    r = client.get("/v1/decision", params={"wait": 15}, headers=_auth(token))
    assert r.status_code == 200, r.text
    return r.json()


def _outcome(client: httpx.Client, token: str, decision: int) -> dict[str, Any]:
    for _ in range(200):
        r = client.get("/v1/outcome", headers=_auth(token))
        if r.status_code == 200 and r.json()["decision"] == decision:
            return r.json()
        time.sleep(0.05)
    raise AssertionError(f"no outcome for decision {decision}")


def _history(handle: api.EngineHandle) -> list[Any]:
    return handle.drain_events()


def test_register_perceive_and_act(client: httpx.Client, handle: api.EngineHandle) -> None:
    places = client.get("/v1/places").json()
    cafe = next(p["id"] for p in places if p["kind"] == "cafe")
    me = _register(client, 3)
    assert me["agent"] == 3 and me["token"]
    decision = _next_decision(client, me["token"])
    assert Decision.model_validate(decision).decision == decision["decision"]  # as the published schema says
    seen = decision["perception"]
    assert seen["name"] == me["name"]
    assert set(seen["needs"]) == {"energy", "hunger", "social", "fun"}
    assert seen["place"]["kind"] == "home" and seen["people"], "family is in sight at home"
    other = seen["people"][0]
    r = client.post("/v1/decision", headers=_auth(me["token"]), json={"decision": decision["decision"], "actions": [
        {"type": "say_to", "person": other["id"], "text": "Where are you working today?"},
        {"type": "go_to", "place": cafe, "activity": "eat", "minutes": 45},
        {"type": "remember", "text": "I promised myself a proper breakfast."},
        {"type": "plan", "text": "Breakfast at the cafe, then a walk."},
    ]})
    assert r.status_code == 202, r.text
    assert _outcome(client, me["token"], decision["decision"])["status"] == "ok"
    events: list[Any] = []
    for _ in range(200):  # the outcome is out during the tick; its events come with the tick's end
        events.extend(_history(handle))
        if any(isinstance(e, ConversationHeld) and e.a == 3 for e in events):
            break
        time.sleep(0.05)
    talk = next(e for e in events if isinstance(e, ConversationHeld) and e.a == 3)
    assert talk.lines[0] == (0, "Where are you working today?") and talk.b == other["id"]
    assert len(talk.lines) >= 2 and talk.lines[1][0] == 1 and talk.lines[1][1], "they answer"
    assert any(isinstance(e, OutsideDecided) and e.status == "ok" and e.agent == 3 for e in events)
    again = client.post("/v1/register", json={"person": 3})
    assert again.status_code == 409 and "already driven" in again.json()["error"]


def test_wrong_tokens_are_refused(client: httpx.Client, server: AgentServer) -> None:
    r = client.get("/v1/decision", headers=_auth("not-a-token"))
    assert r.status_code == 401 and "unknown or missing token" in r.json()["error"]
    r = client.post("/v1/decision", json={"decision": 1, "actions": []})
    assert r.status_code == 401
    with connect(f"ws://127.0.0.1:{server.port}/v1/ws?token=nope") as ws:
        message = json.loads(ws.recv(timeout=10))
    assert message["type"] == "error" and "token" in message["error"]


def test_malformed_messages_get_clear_errors(client: httpx.Client) -> None:
    me = _register(client, 5)
    auth = _auth(me["token"])
    r = client.post("/v1/decision", headers=auth, json={"decision": 1, "actions": [{"type": "fly", "to": "moon"}]})
    assert r.status_code == 422 and r.json()["error"].startswith("malformed request: actions.0")
    r = client.post("/v1/decision", headers=auth, json={"decision": 1, "actions": [
        {"type": "do", "activity": "work", "minutes": 100_000}]})
    assert r.status_code == 422 and "minutes" in r.json()["error"]
    r = client.post("/v1/decision", headers={**auth, "Content-Type": "application/json"}, content=b"{not json")
    assert r.status_code == 422 and "error" in r.json()
    r = client.post("/v1/decision", headers=auth, json={"decision": 1, "actions": [
        {"type": "remember", "text": "x" * 20_000}]})
    assert r.status_code == 413 and "larger than" in r.json()["error"]
    r = client.post("/v1/register", json={"person": "Nobody Atall"})
    assert r.status_code == 404 and "Nobody Atall" in r.json()["error"]


def test_an_answer_the_world_refuses_is_done_by_the_rule_brain(client: httpx.Client,
                                                                handle: api.EngineHandle) -> None:
    me = _register(client, 7)
    decision = _next_decision(client, me["token"])
    r = client.post("/v1/decision", headers=_auth(me["token"]), json={"decision": decision["decision"], "actions": [
        {"type": "say_to", "person": 24 if me["agent"] != 24 else 23, "text": "Can you hear me from there?"},
    ]})
    if r.status_code == 202:
        outcome = _outcome(client, me["token"], decision["decision"])
        if outcome["status"] == "invalid":
            assert "not here to talk to" in outcome["reason"] and "rule brain" in outcome["reason"]
            return
    r = client.post("/v1/decision", headers=_auth(me["token"]), json={"decision": 0, "actions": [
        {"type": "go_to", "place": 100_000}]})
    assert r.status_code == 202
    refused = None
    for _ in range(200):
        refused = next((e for e in _history(handle) if isinstance(e, OutsideDecided) and e.status == "invalid"), None)
        if refused:
            break
        time.sleep(0.05)
    assert refused is not None and "between 0 and" in refused.reason


def test_late_answers_are_made_by_the_rule_brain_and_said_so(client: httpx.Client) -> None:
    me = _register(client, 9, deadline_s=0.2)
    decision = _next_decision(client, me["token"])
    time.sleep(0.6)
    outcome = _outcome(client, me["token"], decision["decision"])
    assert outcome["status"] == "late" and "rule brain decided" in outcome["reason"]
    r = client.post("/v1/decision", headers=_auth(me["token"]), json={"decision": decision["decision"], "actions": [
        {"type": "do", "activity": "home"}]})
    assert r.status_code == 409 and "already made" in r.json()["error"]


@pytest.mark.parametrize("limits", [Limits(rate=0.2, burst=3.0)])
def test_rate_limits_per_person(client: httpx.Client, limits: Limits) -> None:
    a, b = _register(client, 11), _register(client, 12)
    codes = [client.get("/v1/outcome", headers=_auth(a["token"])).status_code for _ in range(4)]
    assert 429 not in codes[:3] and codes[3] == 429, codes
    r = client.get("/v1/outcome", headers=_auth(a["token"]))
    assert r.status_code == 429 and float(r.headers["Retry-After"]) > 0 and "at most 0.2 a second" in r.json()["error"]
    assert client.get("/v1/outcome", headers=_auth(b["token"])).status_code != 429, "limits are per person"


def test_websocket_decisions_and_answers(client: httpx.Client, server: AgentServer) -> None:
    me = _register(client, 14)
    with connect(f"ws://127.0.0.1:{server.port}/v1/ws?token={me['token']}") as ws:
        decision = json.loads(ws.recv(timeout=15))
        assert decision["type"] == "decision" and decision["perception"]["agent"] == 14
        ws.send(json.dumps({"decision": decision["decision"], "actions": "nope"}))
        error = json.loads(ws.recv(timeout=10))
        assert error["type"] == "error" and error["error"].startswith("malformed answer")
        ws.send(json.dumps({"decision": decision["decision"], "actions": [{"type": "do", "activity": "home",
                                                                            "minutes": 20}]}))
        seen = [json.loads(ws.recv(timeout=10)) for _ in range(2)]
    assert {m["type"] for m in seen} == {"accepted", "outcome"}
    outcome = next(m for m in seen if m["type"] == "outcome")
    assert OutcomeMessage.model_validate(outcome).status == "ok", "as the published schema says"


def test_schemas_are_published(client: httpx.Client) -> None:
    spec = client.get("/v1/openapi.json").json()
    assert "/v1/decision" in spec["paths"] and "/v1/register" in spec["paths"]
    schemas = client.get("/v1/schema").json()
    assert {"Answer", "Decision", "Register", "Outcome"} <= set(schemas)
    assert "go_to" in json.dumps(schemas["Answer"])


def test_nothing_listens_beyond_loopback_unless_asked(handle: api.EngineHandle) -> None:
    with pytest.raises(ServerError, match="loopback only"):
        AgentServer(handle, host="0.0.0.0")
    AgentServer(handle, host="0.0.0.0", port=0, allow_remote=True)  # said so explicitly: allowed (not started)


def test_websocket_without_acks_sends_refusals_and_outcomes_only(client: httpx.Client, server: AgentServer) -> None:
    me = _register(client, 15)
    with connect(f"ws://127.0.0.1:{server.port}/v1/ws?token={me['token']}&acks=0") as ws:
        decision = json.loads(ws.recv(timeout=15))
        assert decision["type"] == "decision"
        ws.send(json.dumps({"decision": decision["decision"], "actions": [{"type": "fly"}]}))
        error = json.loads(ws.recv(timeout=10))
        assert error["type"] == "error" and error["error"].startswith("malformed answer")
        ws.send(json.dumps({"decision": decision["decision"], "actions": [{"type": "do", "activity": "home"}]}))
        ws.send(json.dumps({"decision": decision["decision"], "actions": [{"type": "do", "activity": "home"}]}))
        seen = [json.loads(ws.recv(timeout=10)) for _ in range(2)]
    assert "accepted" not in {m["type"] for m in seen}
    refused = next(m for m in seen if m["type"] == "error")
    assert refused["status"] == 409, "a second answer to the same decision is still refused"
    outcome = next(m for m in seen if m["type"] == "outcome")
    assert OutcomeMessage.model_validate(outcome).status == "ok", "as the published schema says"


def test_websocket_without_ok_outcomes_pushes_only_those_that_were_not(client: httpx.Client,
                                                                       server: AgentServer) -> None:
    """``ok_outcomes=0``: an ok decision is followed by the next decision alone (whose perception says it was
    ok); a decision that ends otherwise still sends its outcome."""
    me = _register(client, 16)
    with connect(f"ws://127.0.0.1:{server.port}/v1/ws?token={me['token']}&acks=0&ok_outcomes=0") as ws:
        first = json.loads(ws.recv(timeout=15))
        assert first["type"] == "decision"
        ws.send(json.dumps({"decision": first["decision"], "actions": [{"type": "do", "activity": "home",
                                                                         "minutes": 15}]}))
        second = json.loads(ws.recv(timeout=30))
        assert second["type"] == "decision", "no outcome message for an ok decision"
        told = second["perception"]["last_outcome"]
        assert (told["decision"], told["status"]) == (first["decision"], "ok")
        ws.send(json.dumps({"decision": second["decision"], "actions": [{"type": "go_to", "place": 100_000}]}))
        outcome = json.loads(ws.recv(timeout=30))
    assert outcome["type"] == "outcome" and outcome["decision"] == second["decision"]
    assert OutcomeMessage.model_validate(outcome).status == "invalid", "as the published schema says"

"""Interviews and surveys of a world's people, and two branches of a world compared."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from engine import api
from tests.conftest import WORLDS
from tests.experiments.conftest import branched_village, write_spec


def _cli(argv: list[str]) -> int:
    from app.cli import run_cli

    return run_cli(argv)


def test_ask_everyone_on_a_scale_answers_from_their_state(capsys) -> None:
    assert _cli(["ask", str(WORLDS / "village.town"), "How is your money situation?", "--scale", "1-5", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    answers = report["answers"]
    assert len(answers) == 25 and {a["how"] for a in answers} == {"rule brain"}
    assert all(1 <= a["score"] <= 5 and a["answer"] for a in answers)
    world = api.open_world(WORLDS / "village.town")
    money = {p.name: p.money for p in world.people}
    richest = max(answers, key=lambda a: money[a["name"]])
    poorest = min(answers, key=lambda a: money[a["name"]])
    assert richest["score"] == 5 and poorest["score"] == 1  # their balance's rank in town


def test_ask_one_person_free_text_and_a_sample(capsys) -> None:
    village = str(WORLDS / "village.town")
    assert _cli(["ask", village, "What are you up to today?", "--who", "Rosa Alvarez", "--json"]) == 0
    answers = json.loads(capsys.readouterr().out)["answers"]
    assert [a["name"] for a in answers] == ["Rosa Alvarez"] and answers[0]["score"] is None and answers[0]["answer"]
    assert _cli(["ask", village, "Are you happy?", "--who", "sample:5", "--seed", "3", "--csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 6 and lines[0].startswith("person,name,question,answer,score")
    assert _cli(["ask", village, "Hello?", "--who", "Nobody Atall"]) == 2
    assert "Nobody Atall" in capsys.readouterr().err


def test_ask_on_the_model_reads_the_number_it_gives() -> None:
    world = api.open_world(WORLDS / "village.town")
    answers = api.ask_world(world, WORLDS / "village.town", "Do you trust your neighbours?", "sample:3", (1, 7),
                            api.LLMConfig(brain="fake"))
    assert len(answers) == 3 and {a.how for a in answers} == {"llm"}
    assert all(a.score is not None and 1 <= a.score <= 7 for a in answers)


def test_an_experiment_surveys_at_a_sim_hour(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """
seeds = [1]
sim_hours = 2
[[interviews]]
at_hour = 1
question = "Can you afford life in town?"
who = "sample:4"
scale = [1, 5]
""")
    out = tmp_path / "out"
    report = api.run_experiment(api.load_spec(spec), out)
    assert report.ok == 1
    rows = list(csv.DictReader((out / "answers.csv").open(encoding="utf-8")))
    assert len(rows) == 4 and {r["sim_time"] for r in rows} == {"Day 1 Mon 07:00"}
    (summary,) = csv.DictReader((out / "summary.csv").open(encoding="utf-8"))
    assert float(summary["interview0_mean"]) == sum(int(r["score"]) for r in rows) / 4


def test_compare_two_branches(tmp_path: Path, capsys) -> None:
    path = branched_village(tmp_path / "branched.town")
    branches = api.timeline_info(api.open_world(path))["branches"]
    assert len(branches) == 2
    a, b = (str(branch["id"]) for branch in branches)

    assert _cli(["compare", str(path), a, b, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [br["tick"] for br in report["branches"]] == [180, 180]
    assert report["branches"][0]["state_hash"] != report["branches"][1]["state_hash"]
    assert report["metrics"]["columns"][0] == "tick" and report["metrics"]["a"] and report["metrics"]["b"]
    mill = [fact for fact in report["knowledge"] if fact["text"] == "the mill is hiring"]
    assert mill and mill[0]["knowers"][0] == 0 and "Rosa Alvarez" in mill[0]["only_b"]
    assert _cli(["compare", str(path), a, b]) == 0
    assert "the mill is hiring" in capsys.readouterr().out
    assert _cli(["compare", str(path), a, "nonesuch"]) == 2
    assert "no branch called 'nonesuch'" in capsys.readouterr().err


def test_an_experiment_on_the_model_interviews_minds(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """
seeds = [1]
sim_hours = 1
[settings]
brain = "fake"
model = "fake-model"
budget = 200
[[interviews]]
at_hour = 1
question = "How much do you trust your neighbours?"
who = ["Rosa Alvarez", "Tomás Alvarez"]
scale = [1, 7]
""")
    out = tmp_path / "out"
    report = api.run_experiment(api.load_spec(spec), out)
    assert report.ok == 1
    rows = list(csv.DictReader((out / "answers.csv").open(encoding="utf-8")))
    assert [r["name"] for r in rows] == ["Rosa Alvarez", "Tomás Alvarez"]
    assert all(r["how"] == "llm" and 1 <= int(r["score"]) <= 7 for r in rows)
    run = json.loads((out / "manifest.json").read_text())["runs"][0]
    assert (run["brain"], run["model"]) == ("fake", "fake-model")

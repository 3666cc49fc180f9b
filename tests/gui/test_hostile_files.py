"""A hostile world or map opened in the window: a dialog with the same words the command line prints."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from app.cli import run_cli
from tests.hostile.corpus import base_world, map_cases, world_cases

from .conftest import wait_until


def _cli_line(*args: str) -> str:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert run_cli(list(args)) == 2
    line = err.getvalue().strip()
    assert line.startswith("townsfolk: error: ")
    return line.removeprefix("townsfolk: error: ")


def test_hostile_files_get_the_command_lines_words_in_a_dialog(controller, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, message, *rest: shown.append((title, message)))
    controller.quiet = False
    base_world(tmp_path)
    looping = next(c for c in world_cases(tmp_path) if c.name == "branch_loop_in_info").subject
    bomb = next(c for c in map_cases(tmp_path) if c.name == "map_zlib_bomb").subject

    controller.open_path(looping)
    wait_until(lambda: shown, 30, "the open to fail")
    assert shown[-1] == (f"Could not open {looping.name}", _cli_line("info", str(looping)))

    controller.loader.import_tiled(bomb)
    wait_until(lambda: len(shown) == 2, 30, "the import to fail")
    assert shown[-1][1] == _cli_line("import-tiled", str(bomb), str(tmp_path / "out.town"))
    assert all("\n" not in message for _title, message in shown)

"""Architecture rules for engine/llm, checked on the source so a slip fails fast and says where."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
FORBIDDEN = ("PySide6", "arcade", "pyqtgraph", "pyglet", "app")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_adapter_imports_ollama() -> None:
    importers = sorted(p.relative_to(ENGINE).as_posix() for p in ENGINE.rglob("*.py") if "ollama" in _imports(p))
    assert importers == ["llm/ollama_backend.py"]


def test_llm_package_imports_no_gui() -> None:
    for path in (ENGINE / "llm").rglob("*.py"):
        assert not _imports(path) & set(FORBIDDEN), path

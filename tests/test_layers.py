"""The import rule of DESIGN.md: store/ never imports discord or bot."""

from __future__ import annotations

import ast
from pathlib import Path

STORE = Path(__file__).resolve().parent.parent / "store"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_store_never_imports_discord_or_bot() -> None:
    files = sorted(STORE.rglob("*.py"))
    assert len(files) > 10
    offenders = {
        str(f.relative_to(STORE)): sorted(imported_modules(f) & {"discord", "bot"}) for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}

"""The import rules of the layers (DESIGN.md), read from the source with `ast`.

Every import counts: at module level, inside a function, or under `if TYPE_CHECKING`.
"""

from __future__ import annotations

import ast
import graphlib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("store", "bot", "bench")

# Pure store modules: logic over dataclasses, testable without a database, index or model.
PURE_STORE = {
    "store.abstain", "store.align", "store.chunking", "store.diversify", "store.errors",
    "store.fusion", "store.fuzzy", "store.hits", "store.links", "store.localise",
    "store.models", "store.parsing", "store.parsing.captions", "store.parsing.seed",
    "store.parsing.ytdlp", "store.query_analysis", "store.quote_finder", "store.quotes",
    "store.rerank", "store.sparse", "store.text",
}
ADAPTER_LIBRARIES = {"chromadb", "torch", "transformers", "sentence_transformers", "sqlite3"}

# The one module of bot/alerts/ that speaks Discord: it builds each alert's discord.Embed.
# Sending (and turning Forbidden/NotFound into TargetGone) is bot/cogs/alerts.py's job.
ALERTS_DISCORD_MODULE = "bot.alerts.messages"

# `newsreel bench` runs the benchmarks: bot/cli.py imports bench.run inside that command only.
BOT_TO_BENCH = {("bot.cli", "bench.run")}


def module_files() -> dict[str, Path]:
    """Dotted module name → file, for every module of the project's packages."""
    out: dict[str, Path] = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


MODULES = module_files()


@cache
def imported_names(module: str) -> frozenset[str]:
    """Every dotted name `module` imports (`from a import b` gives `a` and `a.b`)."""
    path = MODULES[module]
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *[base] * bool(base)])
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
    return frozenset(names)


def top_level(module: str) -> set[str]:
    """The top-level packages `module` imports (discord, bot, sqlite3...)."""
    return {name.split(".")[0] for name in imported_names(module)}


def project_module(name: str) -> str | None:
    """The project module an imported name lives in (`bench.run.main` → `bench.run`), if any."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


@cache
def project_imports(module: str) -> frozenset[str]:
    """The project modules `module` imports, and the packages whose `__init__` that runs."""
    out: set[str] = set()
    for name in imported_names(module):
        found = project_module(name)
        if found is None:
            continue
        out.add(found)
        parent = found.rpartition(".")[0]
        while parent and not module.startswith(parent + "."):  # its own packages are loaded
            out.add(parent)
            parent = parent.rpartition(".")[0]
    out.discard(module)
    return frozenset(out)


def reachable(module: str) -> set[str]:
    """`module` and every project module it imports, directly or through others."""
    seen, todo = {module}, [module]
    while todo:
        for dep in project_imports(todo.pop()) - seen:
            seen.add(dep)
            todo.append(dep)
    return seen


def in_package(package: str) -> list[str]:
    return [m for m in MODULES if m == package or m.startswith(package + ".")]


def test_store_never_imports_discord_or_bot() -> None:
    assert len(in_package("store")) > 10
    offenders = {m: sorted(top_level(m) & {"discord", "bot"}) for m in in_package("store")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_bot_does_not_import_bench() -> None:
    found = {(m, project_module(name)) for m in in_package("bot") for name in imported_names(m)
             if name.split(".")[0] == "bench"}
    assert found == BOT_TO_BENCH


def test_alert_logic_does_not_import_discord() -> None:
    offenders = {
        m: sorted(n for n in imported_names(m)
                  if n.split(".")[0] == "discord" or n.startswith(("bot.cogs", "bot.discord_app")))
        for m in in_package("bot.alerts") if m != ALERTS_DISCORD_MODULE
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert "discord" in top_level(ALERTS_DISCORD_MODULE), "the exception above is out of date"


def test_pure_store_modules_load_no_database_index_or_model_library() -> None:
    assert set(MODULES) >= PURE_STORE
    offenders = {
        m: sorted({lib for dep in reachable(m) for lib in top_level(dep) & ADAPTER_LIBRARIES})
        for m in sorted(PURE_STORE)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_import_cycle_among_the_projects_modules() -> None:
    graph = {m: project_imports(m) for m in MODULES}
    assert graph["bot.cogs.ask"] >= {"bot.cogs", "bot.arguments"}  # the graph sees imports
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the circle

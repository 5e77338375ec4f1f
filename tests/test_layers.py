"""The import rules of the layers, read from the source with `ast`.

Every import counts: at module level, inside a function, or under `if TYPE_CHECKING` (which
counts for the rules, but not for what a module loads when it runs).
"""

from __future__ import annotations

import ast
import graphlib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The layers, each a top-level folder whose name says which one it is.
LAYERS = {
    "app": "composition root: config, wiring, logging, CLI, terminal rendering, serving, watcher",
    "bench": "benchmarks and the retrieval eval (a tool beside the app: uses its wiring)",
    "bot": "the Discord adapter: client, cogs, embeds, the alert sender",
    "service": "use cases shared by both front ends, and the alert logic",
    "store": "transcripts and search: pure modules and the storage/model adapters",
}
PACKAGES = tuple(LAYERS)
# Sub-folders, each inside its layer: a new folder must say here what it is.
SUBPACKAGES = {
    "bot.cogs": "bot",
    "service.alerts": "service",
    "store.sources": "store",
    "store.encoders": "store",
    "store.index": "store",
    "store.search": "store",
}
# The rooms of store/: which of the others each may import (the shared value types at
# store/'s top are open to all), and the libraries a room may not load.
ROOMS = ("store.sources", "store.encoders", "store.index", "store.search")
ROOM_MAY_IMPORT = {
    "store.sources": set(),
    "store.encoders": set(),
    "store.index": {"store.encoders"},
    "store.search": {"store.encoders", "store.index"},
}
SOURCES_NEVER_LOAD = {"chromadb", "tantivy", "torch", "transformers", "sentence_transformers",
                      "sqlite3", "onnxruntime"}
# The one adapter at the edge of sources/: it speaks yt-dlp (no index, model or database).
SOURCES_ADAPTERS: set[str] = {"store.sources.fetcher"}
# The parsers proper: bytes or text in, `Transcript` out; reading files is loader's and reading's.
PARSERS = ("store.sources.captions", "store.sources.seed", "store.sources.ytdlp")

# Who may import which layer (besides itself, the standard library and third-party ones).
ALLOWED = {
    "store": set(),
    "service": {"store"},
    "bot": {"service", "store"},
    "bench": {"app", "service", "store"},
    "app": {"bot", "service", "store"},  # and INTO_BENCH
}
# `newsreel bench` runs the benchmarks: the composition root imports bench.run inside that
# command only (loading the bench package with it). bench uses app's config and wiring, never bot/.
INTO_BENCH = {("app.cli", "bench.run"), ("app.cli", "bench")}
# discord.py is spoken by the Discord adapter, and by the composition root where it serves it.
DISCORD_OUTSIDE_BOT = {"app.serve"}

# Pure store modules: logic over dataclasses, testable without a database, index or model.
PURE_STORE = {
    "store.errors", "store.links", "store.public_names", "store.records", "store.sparse",
    "store.text",
    "store.sources", "store.sources.align", "store.sources.captions", "store.sources.chunking",
    "store.sources.seed", "store.sources.ytdlp",
    "store.search.abstain", "store.search.diversify", "store.search.fusion", "store.search.fuzzy",
    "store.search.hits", "store.search.localise", "store.search.query_analysis",
    "store.search.quote_finder", "store.search.quotes", "store.search.rerank",
}
ADAPTER_LIBRARIES = {"chromadb", "torch", "transformers", "sentence_transformers", "sqlite3"}


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


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in {"TYPE_CHECKING",
                                                                   "typing.TYPE_CHECKING"}


def _nodes(tree: ast.AST, runtime: bool) -> list[ast.AST]:
    """Every node of `tree`; with `runtime`, none under `if TYPE_CHECKING` (they never run)."""
    out, todo = [], [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        children = list(ast.iter_child_nodes(node))
        if runtime and _is_type_checking(node):
            children = [*getattr(node, "orelse", [])]
        todo.extend(children)
    return out


@cache
def imported_names(module: str, runtime: bool = False) -> frozenset[str]:
    """Every dotted name `module` imports (`from a import b` gives `a` and `a.b`); with
    `runtime`, only the imports that run when it is loaded."""
    path = MODULES[module]
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names: set[str] = set()
    for node in _nodes(ast.parse(path.read_text(encoding="utf-8")), runtime):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *[base] * bool(base)])
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
    return frozenset(names)


def top_level(module: str, runtime: bool = False) -> set[str]:
    """The top-level packages `module` imports (discord, bot, sqlite3...)."""
    return {name.split(".")[0] for name in imported_names(module, runtime)}


def project_module(name: str) -> str | None:
    """The project module an imported name lives in (`bench.run.main` → `bench.run`), if any."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


@cache
def project_imports(module: str, runtime: bool = False) -> frozenset[str]:
    """The project modules `module` imports, and the packages whose `__init__` that runs."""
    out: set[str] = set()
    for name in imported_names(module, runtime):
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
    """`module` and every project module loading it loads, directly or through others."""
    seen, todo = {module}, [module]
    while todo:
        for dep in project_imports(todo.pop(), runtime=True) - seen:
            seen.add(dep)
            todo.append(dep)
    return seen


def in_package(package: str) -> list[str]:
    return [m for m in MODULES if m == package or m.startswith(package + ".")]


def layer_imports(module: str) -> set[tuple[str, str]]:
    """(module, imported project module) for each import of `module` from another layer."""
    layer = module.split(".")[0]
    return {(module, dep) for dep in project_imports(module) if dep.split(".")[0] != layer}


def test_each_layer_imports_only_the_layers_it_may() -> None:
    assert len(in_package("store")) > 10 and len(in_package("service")) > 5
    crossing = {pair for m in MODULES for pair in layer_imports(m)}
    offenders = {(m, dep) for m, dep in crossing
                 if dep.split(".")[0] not in ALLOWED[m.split(".")[0]]} - INTO_BENCH
    assert offenders == set()
    assert crossing >= INTO_BENCH, "the exception above is out of date"


def test_store_never_imports_discord_or_the_outer_layers() -> None:
    offenders = {m: sorted(top_level(m) & {"discord", "bot", "app", "service", "bench"})
                 for m in in_package("store")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_use_cases_and_alert_logic_never_load_discord() -> None:
    assert {"service.alerts.dispatcher", "service.answers"} <= set(MODULES)
    offenders = {m: sorted({lib for dep in reachable(m) for lib in top_level(dep)} & {"discord"})
                 for m in in_package("service")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_discord_adapter_speaks_discord() -> None:
    speakers = {m for m in MODULES if "discord" in top_level(m)}
    assert "bot.client" in speakers
    assert speakers - set(in_package("bot")) == DISCORD_OUTSIDE_BOT


def test_pure_store_modules_load_no_database_index_or_model_library() -> None:
    assert set(MODULES) >= PURE_STORE
    offenders = {
        m: sorted({lib for dep in reachable(m)
                   for lib in top_level(dep, runtime=True) & ADAPTER_LIBRARIES})
        for m in sorted(PURE_STORE)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_import_cycle_among_the_projects_modules() -> None:
    graph = {m: project_imports(m) for m in MODULES}
    # the graph sees every import, those inside functions included
    assert graph["bot.cogs.ask"] >= {"bot.client", "service.arguments", "bot.notices"}
    assert "bench.run" in graph["app.cli"]
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the circle


def test_every_folder_says_its_layer_and_the_tests_mirror_the_tree() -> None:
    top = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert top == set(LAYERS)
    folders = {".".join(p.parent.relative_to(ROOT).parts) for pkg in PACKAGES
               for p in (ROOT / pkg).rglob("__init__.py")} - set(PACKAGES)
    assert folders == set(SUBPACKAGES)
    assert all(sub.split(".")[0] == layer for sub, layer in SUBPACKAGES.items())
    test_folders = {".".join(p.parent.relative_to(ROOT / "tests").parts)
                    for p in (ROOT / "tests").rglob("__init__.py")} - {""}
    helpers = {"discord_standin"}  # the local Discord stand-in of the end-to-end tests
    assert test_folders - helpers <= set(PACKAGES) | set(SUBPACKAGES)
    assert set(PACKAGES) <= test_folders


FILE_SYSTEM_CALLS = {"open", "read_bytes", "read_text", "iterdir", "is_file", "is_dir", "exists",
                     "stat", "glob", "rglob", "listdir", "scandir"}


def called_name(node: ast.Call) -> str:
    """`open` of `open(...)`, `stat` of `os.stat(...)` or `path.stat()`."""
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def test_parsers_take_bytes_or_text_and_leave_the_files_to_store_reading() -> None:
    calls = {
        m: sorted({called_name(node)
                   for node in ast.walk(ast.parse(MODULES[m].read_text(encoding="utf-8")))
                   if isinstance(node, ast.Call) and called_name(node) in FILE_SYSTEM_CALLS})
        for m in PARSERS
    }
    assert {k: v for k, v in calls.items() if v} == {}
    assert "os" not in set().union(*(top_level(m) for m in PARSERS))


def room_of(module: str) -> str | None:
    return next((r for r in ROOMS if module == r or module.startswith(r + ".")), None)


def room_offences(modules: dict[str, frozenset[str]]) -> set[tuple[str, str]]:
    """(module, imported module) for each import from one room of store/ into a room it may not
    import, given each module's project imports."""
    return {(m, dep) for m, deps in modules.items() for dep in deps
            if (room := room_of(m)) and (other := room_of(dep)) and other != room
            and other not in ROOM_MAY_IMPORT[room]}


def test_each_room_of_store_imports_only_the_rooms_it_may() -> None:
    assert {m for m in MODULES if room_of(m)} >= {"store.search.searcher", "store.index.catalog",
                                                 "store.encoders.splade", "store.sources.loader"}
    assert room_offences({m: project_imports(m) for m in in_package("store")}) == set()


def test_the_room_rule_catches_a_planted_import() -> None:
    planted = {"store.sources.chunking": frozenset({"store.index.catalog"}),
               "store.encoders.splade": frozenset({"store.search.rerank"}),
               "store.search.hits": frozenset({"store.sources.loader"}),
               "store.index.catalog": frozenset({"store.encoders.embedder"})}
    assert room_offences(planted) == {("store.sources.chunking", "store.index.catalog"),
                                      ("store.encoders.splade", "store.search.rerank"),
                                      ("store.search.hits", "store.sources.loader")}


def test_sources_load_no_index_model_or_database_library() -> None:
    offenders = {m: sorted({lib for dep in reachable(m)
                            for lib in top_level(dep, runtime=True) & SOURCES_NEVER_LOAD})
                 for m in set(in_package("store.sources")) - SOURCES_ADAPTERS}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_outside_store_imports_the_rooms_by_their_public_names() -> None:
    outside = [m for pkg in ("app", "bot", "service", "bench") for m in in_package(pkg)]
    reached_inside = {(m, name) for m in outside for name in imported_names(m)
                      if any(name.startswith(r + ".") for r in ROOMS)
                      and project_module(name) not in ROOMS}
    assert reached_inside == set()

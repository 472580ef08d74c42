"""Layer rules: who may import whom, checked on every import statement of bot/ and handlers/.

Each package's ``__init__`` docstring says the same in words. Imports inside functions and under
``TYPE_CHECKING`` count too: a forbidden edge is forbidden wherever it is written.
"""

from __future__ import annotations

import ast
import functools
import shutil
from pathlib import Path

import pytest

from bot.settings import ROOT

#: The layers under ``bot``; every other module directly in ``bot`` is wiring or a base module.
LAYERS = ("engine", "knowledge", "store", "reports", "messenger", "cli")
#: Wiring: the only modules that may import ``handlers``.
WIRING = frozenset({"bot.app", "bot.runner"})
#: Base modules: imported by every layer, import no layer themselves.
BASE = frozenset(
    {
        "bot",
        "bot.config_values",
        "bot.secret",
        "bot.locale",
        "bot.log_setup",
        "bot.calendar",
        "bot.memory",
        "bot.messages",
        "bot.shipped",
        "bot.yaml_text",
    }
)

#: Per layer, the layers (and ``telegram``) it must never import.
FORBIDDEN: dict[str, frozenset[str]] = {
    "engine": frozenset(
        {"telegram", "messenger", "store", "reports", "cli", "handlers", "wiring", "settings"}
    ),
    "knowledge": frozenset(
        {"telegram", "engine", "messenger", "store", "reports", "cli", "handlers", "wiring", "settings"}
    ),
    "store": frozenset(
        {"telegram", "engine", "knowledge", "messenger", "reports", "cli", "handlers", "wiring", "settings"}
    ),
    "reports": frozenset({"telegram", "engine", "messenger", "cli", "handlers", "wiring", "settings"}),
    "messenger": frozenset({"engine", "reports", "cli", "handlers", "wiring"}),
    "cli": frozenset({"handlers"}),
    "base": frozenset(
        {
            "telegram",
            "engine",
            "knowledge",
            "store",
            "reports",
            "messenger",
            "cli",
            "handlers",
            "wiring",
            "settings",
        }
    ),
    "handlers": frozenset({"cli", "wiring"}),
}


def layer_of(module: str) -> str | None:
    """The layer a dotted module name belongs to (``None`` for third-party modules but telegram)."""
    parts = module.split(".")
    if parts[0] == "telegram":
        return "telegram"
    if parts[0] == "handlers":
        return "handlers"
    if parts[0] != "bot":
        return None
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    if module in WIRING:
        return "wiring"
    if module in ("bot.settings", "bot.hash_secret"):
        return "settings"
    return "base"


def module_name(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every absolute import of a file, with its line: ``import x.y`` and ``from x.y import z``."""
    return list(_imports_in(path.read_text(encoding="utf-8")))


@functools.cache
def _imports_in(source: str) -> tuple[tuple[int, str], ...]:
    """The imports of one source text (parsed once: each test below scans a copy of every file)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return tuple(found)


def violations(root: Path) -> list[str]:
    """``file:line: source layer -> target`` for every forbidden import under ``root``."""
    problems = []
    for path in sorted([*(root / "bot").rglob("*.py"), *(root / "handlers").rglob("*.py")]):
        source = module_name(path, root)
        source_layer = layer_of(source)
        if source_layer in (None, "wiring", "settings"):
            continue
        for line, target in imported_modules(path):
            target_layer = layer_of(target)
            if target_layer and target_layer != source_layer and target_layer in FORBIDDEN[source_layer]:
                problems.append(f"{path.relative_to(root)}:{line}: {source_layer} -> {target}")
    return problems


def test_no_forbidden_import() -> None:
    assert violations(ROOT) == []


def copy_sources(tmp_path: Path) -> Path:
    for folder in ("bot", "handlers"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("bot/engine/matcher.py", "from bot.store import Store"),
        ("bot/engine/decision.py", "    from telegram import Update"),
        ("bot/store/records.py", "from bot.engine.engine import Reply"),
        ("bot/reports/figures.py", "import handlers.common"),
        ("bot/knowledge/model.py", "from bot.settings import Settings"),
        ("bot/cli/stats.py", "from handlers.context import BotContext"),
    ],
)
def test_a_forbidden_import_is_found(tmp_path: Path, module: str, forbidden: str) -> None:
    root = copy_sources(tmp_path)
    path = root / module
    indented = forbidden.startswith(" ")
    body = f"\n\ndef _added() -> None:\n{forbidden}\n" if indented else f"\n{forbidden}\n"
    path.write_text(path.read_text(encoding="utf-8") + body, encoding="utf-8")
    assert [problem for problem in violations(root) if problem.startswith(module)], forbidden


def test_every_module_directly_in_bot_is_wiring_or_base() -> None:
    top = {module_name(path, ROOT) for path in (ROOT / "bot").glob("*.py")}
    assert top <= BASE | WIRING | {"bot.settings", "bot.hash_secret"}


@pytest.mark.parametrize("package", [*(f"bot/{layer}" for layer in LAYERS), "handlers", "handlers/staff"])
def test_packages_stay_small_and_say_what_they_hold(package: str) -> None:
    folder = ROOT / package
    modules = [path for path in folder.glob("*.py") if path.name not in {"__init__.py", "__main__.py"}]
    assert len(modules) <= 20 if package == "handlers" else len(modules) <= 13, package
    assert ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8")))

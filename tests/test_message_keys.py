"""Every message ``kb import``, ``kb check``, ``report``, ``stats`` and ``chart`` can say exists in
Persian and English with the same placeholders, and every such text is one the code can say.

The keys are read from the code where it names them: ``Problem.of(file, line, "key")``
(``kb.problem.*``), ``CellError.of``/``warn``, ``SourceError``, a reader's ``error(...)`` and a
row's ``error``/``warn`` (``kb.error.*``, ``kb.warning.*``), and ``MessageError``/``CommandError``
and ``Message.of`` (full keys: ``doctor.*``, ``backup.*``).
"""

from __future__ import annotations

import ast
import re
import string

from bot.locale import Locales
from bot.settings import ROOT

#: The modules whose messages these commands say, and the key prefix each call form implies.
_SOURCES = (
    "bot/knowledge/loader.py",
    "bot/knowledge/directory/offices.py",
    "bot/knowledge/directory/holidays.py",
    "bot/engine/lexicon.py",
    "bot/knowledge/workbook/rows.py",
    "bot/knowledge/workbook/sheets.py",
    "bot/knowledge/workbook/importer.py",
    "bot/knowledge/workbook/exporter.py",
    "bot/calendar.py",
    "bot/cli/command.py",
    "bot/cli/kb.py",
    "bot/cli/backup.py",
    "bot/cli/doctor.py",
    "bot/cli/purge.py",
    "bot/cli/main.py",
    "bot/config_values.py",
    "bot/settings.py",
    "bot/hash_secret.py",
    "bot/messenger/platforms.py",
    "bot/messenger/staff_settings.py",
    "bot/cli/report.py",
    "bot/cli/stats.py",
    "bot/cli/run.py",
)
_NAMESPACES = (
    "kb.problem.",
    "kb.error.",
    "kb.warning.",
    "period.error.",
    "report.error.",
    "cli.error.",
    "doctor.",
    "backup.",
)
#: Per call (function or method name), the prefix of the key it is given last (``None``: a full key).
_CALLS = {
    "of": None,  # Problem.of / CellError.of / Message.of: by the class, below
    "problem": "kb.problem.",
    "warn": "kb.warning.",
    "error": "kb.error.",
    "SourceError": "kb.error.",
    "MessageError": "",
    "CommandError": "",
    "listing": "",  # ConfigError.listing("doctor.config.unknown_keys", ...)
    "_wrong": "doctor.config.",  # Section._wrong(key, value, "not_bool")
    "text": "",  # catalog.text("cli.error.store", ...)
}
_KEY = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$")


def _prefix(call: ast.Call) -> str | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name == "of" and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return {"Problem": "kb.problem.", "CellError": "kb.error.", "Message": "", "ConfigError": ""}.get(
            func.value.id
        )
    if name == "warn" and isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "CellError":
        return "kb.warning."
    return _CALLS.get(name)


def _constants(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    return []


def emitted() -> set[str]:
    """Every key the sources give a message call, with its namespace."""
    keys: set[str] = set()
    for source in _SOURCES:
        tree = ast.parse((ROOT / source).read_text(encoding="utf-8"))
        assigned: dict[str, list[str]] = {}  # key = "a" if ... else "b" (every such line of the module)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id == "key":
                        assigned.setdefault(target.id, []).extend(_constants(node.value))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or (prefix := _prefix(node)) is None or not node.args:
                continue
            last = node.args[0] if prefix == "" else node.args[-1]
            values = assigned.get(last.id, []) if isinstance(last, ast.Name) else _constants(last)
            if not values and len(node.args) == 1 and isinstance(last, ast.Name):
                values = assigned.get(last.id, [])
            keys |= {prefix + value for value in values if _KEY.match(value)}
    return keys


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_the_commands_say_exists_in_both_languages(locales: Locales) -> None:
    fa, en = locales.get("fa"), locales.get("en")
    keys = {key for key in emitted() if key.startswith(_NAMESPACES)}
    assert len([k for k in keys if k.startswith("kb.problem.")]) >= 40
    assert sorted(keys - set(fa.strings)) == []
    for key in keys:
        assert key in en.strings and placeholders(fa.strings[key]) == placeholders(en.strings[key]), key


def test_every_message_text_is_one_the_code_says(locales: Locales) -> None:
    keys = emitted()
    unused = sorted(
        key for key in locales.get("fa").strings if key.startswith(_NAMESPACES) and key not in keys
    )
    assert unused == []

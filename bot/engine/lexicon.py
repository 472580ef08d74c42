"""The staff-editable language data: synonyms, function words, Finglish words.

``knowledge/synonyms.yaml`` maps colloquial forms and variant spellings to the
form the knowledge base uses (``چنده: هزینه``); ``knowledge/language.yaml``
lists the function words dropped from match keys, curated Finglish words,
words naming other organisations' services (``کارت بانکی``, ``یارانه``): a
question that names one is never answered directly, and question words
(``کجا``, ``چطور``): a message with one reads as a question; pointing words
(``آن``, ``همین``): a clause with one asks about the clause before it; plain words
(``معنی``): kept as written, never repaired into a word of the base; place names (``دلفان``):
dropped like the function words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.loader import Problem, read_yaml

__all__ = ["Lexicon", "load_lexicon"]


@dataclass(frozen=True)
class Lexicon:
    """Raw language data, as written in the files (not yet normalized)."""

    synonyms: dict[str, str] = field(default_factory=dict)
    function_words: tuple[str, ...] = ()
    finglish: dict[str, str] = field(default_factory=dict)
    other_services: tuple[str, ...] = ()
    question_words: tuple[str, ...] = ()
    year_words: tuple[str, ...] = ()
    """The word a year written in digits stands for («۱۳۶۵» is «سال»); empty: years stay numbers."""
    pointing_words: tuple[str, ...] = ()
    """Words by which a clause points back at the one before («تمدید آن کجاست؟»)."""
    emoji: dict[str, str] = field(default_factory=dict)
    """Emoji that say a word («💍»: «ازدواج»); the others carry no topic."""
    plain_words: tuple[str, ...] = ()
    """Words kept as written, never repaired into a word of the base («معنی» is not «مثنی»)."""
    remarks: tuple[str, ...] = ()
    """Words by which a message judges the bot or tells a mood rather than asks («ربات خنگ»,
    «دلم گرفته»): like another organisation's service, never answered directly."""
    place_names: tuple[str, ...] = ()
    """Names of provinces, cities and districts: where the citizen is says nothing of what is
    asked, so they are dropped from match keys like the function words."""

    @property
    def ignored_words(self) -> tuple[str, ...]:
        """The words dropped from match keys: function words, then place names."""
        return self.function_words + self.place_names

    @property
    def unanswered_names(self) -> tuple[str, ...]:
        """The names a message is never answered directly for: other services, then remarks."""
        return self.other_services + self.remarks


def _mapping(path: Path, key: str) -> tuple[dict[str, str], list[Problem]]:
    if not path.exists():
        return {}, []
    root, problems = read_yaml(path)
    if root is None:
        return {}, problems
    node = root.children.get(key) if isinstance(root.children, dict) else None
    if node is None or node.value is None:
        return {}, problems
    if not isinstance(node.children, dict):
        return {}, [Problem.of(path.name, node.line, "lexicon_mapping", key=key)]
    result: dict[str, str] = {}
    for name, child in node.children.items():
        if isinstance(child.value, str) and child.value.strip() and name.strip():
            result[name.strip()] = child.value.strip()
        else:
            problems.append(Problem.of(path.name, child.line, "lexicon_value", key=key, name=name))
    return result, problems


def _word_list(path: Path, key: str) -> tuple[tuple[str, ...], list[Problem]]:
    if not path.exists():
        return (), []
    root, problems = read_yaml(path)
    if root is None or not isinstance(root.children, dict) or key not in root.children:
        return (), problems
    node = root.children[key]
    if not isinstance(node.value, list) or not all(isinstance(w, str) for w in node.value):
        return (), [Problem.of(path.name, node.line, "lexicon_words", key=key)]
    return tuple(w.strip() for w in node.value if w.strip()), problems


def load_lexicon(folder: Path) -> tuple[Lexicon, list[Problem]]:
    """Read the language files of the knowledge folder; missing files mean empty data."""
    synonyms, problems = _mapping(folder / "synonyms.yaml", "synonyms")
    finglish, more = _mapping(folder / "language.yaml", "finglish")
    function_words, most = _word_list(folder / "language.yaml", "function_words")
    other_services, other = _word_list(folder / "language.yaml", "other_services")
    question_words, asking = _word_list(folder / "language.yaml", "question_words")
    year_words, years = _word_list(folder / "language.yaml", "year_words")
    pointing_words, pointing = _word_list(folder / "language.yaml", "pointing_words")
    emoji, pictures = _mapping(folder / "language.yaml", "emoji")
    plain_words, plain = _word_list(folder / "language.yaml", "plain_words")
    remarks, remarked = _word_list(folder / "language.yaml", "remarks")
    place_names, placed = _word_list(folder / "language.yaml", "place_names")
    lexicon = Lexicon(
        synonyms,
        function_words,
        finglish,
        other_services,
        question_words,
        year_words,
        pointing_words,
        emoji,
        plain_words,
        remarks,
        place_names,
    )
    problems += more + most + other + asking + years + pointing + pictures + plain + remarked + placed
    return lexicon, problems

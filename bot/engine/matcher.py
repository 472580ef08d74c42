"""Rank knowledge-base entries for a match key.

Every phrasing (title, questions, keywords) of every entry is indexed twice:
as character 2-4-grams weighted by TF-IDF (tolerates typos, glued and split
words) and as a bag of words weighted by entry-level IDF. A question's score
against a phrasing combines the character cosine with how much of the
question's weight the phrasing covers and how much of the phrasing's weight
the question covers; words the knowledge base has never seen weigh the most,
so "کارت بانکی" is not "کارت ملی". An entry scores as its best phrasing.

Retrieval multiplies the query vector by the inverted (n-gram x phrasing)
matrix, so its cost grows with the postings of the question's n-grams, not
with the number of phrasings. The vectors (and the classifier) are fitted by
:mod:`bot.engine.kept.fits`, kept in the cache folder between starts.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.engine.analyzer import MatchKey
from bot.engine.classifier import EntryClassifier
from bot.engine.kept.fits import fitted_index
from bot.memory import Memory

__all__ = ["Candidate", "Matcher", "Phrasing", "Weights", "lead"]

#: Phrasings of at most this many words say what an entry is about (a long one tells a story that
#: mentions many things: «سلام، ...»).
_SHORT_PHRASING = 4
#: How many recent rankings a matcher remembers (a ranking depends on its key, limit and emphasis
#: alone: a clause ranked again, «سلام» or «چیکار کنم» asked in another message); about 3 MB
#: full (measured: 1 MB for 1,538 rankings), then started over.
_REMEMBERED_RANKINGS = 4096


@dataclass(frozen=True)
class Weights:
    """How the three similarity signals add up to a score in [0, 1]."""

    char: float = 0.35
    query_coverage: float = 0.3
    phrasing_coverage: float = 0.15
    entry_coverage: float = 0.2
    shortlist: int = 60
    unknown_weight: float = 1.0
    familiar_weight: float = 0.5
    long_question_words: int = 6
    story_weight: float = 0.7
    """In a message of several clauses, the weight of words outside the asking clause."""
    story_words: int = 10
    """A message of several clauses with this many distinct words is a story: another
    organisation's service named outside its asking clause is context, not what it asks (and a
    message this long is judged by the story band of the thresholds)."""
    clause_scoring: bool = True
    """Score the asking clause alone too and blend it into each entry's score by ``clause_blend``."""
    clause_blend: float = 0.0
    """Measured on the tuning sets: any share lowered top-1 (the asking clause often names only
    the intent, «چه مدارکی لازمه؟», and the story the topic), so it is off."""
    part_score: float = 0.5
    """Two clauses are two questions when each one's best entry scores this much, is this far
    ahead of its runner-up (``part_margin``) and the entries differ."""
    part_margin: float = 0.1
    max_clauses: int = 6
    """At most this many clauses of a message are scored on their own (the last ones)."""
    classifier: float = 0.4
    """The share of an entry's score that comes from the phrasing classifier's probability
    (:mod:`bot.engine.classifier`); 0 turns the classifier off (it is then not even trained)."""
    classifier_entries: int = 3
    classifier_trust: float = 0.3
    """Below this lexical score the classifier's share shrinks in proportion: its probabilities
    always sum to one, so a question the base knows nothing of («هوای فردا») would otherwise get a
    confident entry."""
    vague_share: float = 0.25
    """A question of one or two words that short phrasings (titles, keywords, a few words) of more
    than this share of the entries use together («شناسنامه», «کارت ملی») is vague: it gets
    choices, never an answer."""
    """The classifier's most likely entries are scored even when no phrasing of theirs made the
    character shortlist."""


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    score: float
    phrasing: str


def lead(ranked: Sequence[Candidate]) -> float:
    """How far the best of ``ranked`` (non-empty, best first) is ahead of the runner-up (its whole
    score when it stands alone)."""
    return ranked[0].score - (ranked[1].score if len(ranked) > 1 else 0.0)


@dataclass(frozen=True)
class Phrasing:
    entry_id: str
    text: str
    key: MatchKey


class Matcher:
    """An immutable index over phrasings; build a new one when the knowledge changes."""

    def __init__(self, phrasings: Sequence[Phrasing], weights: Weights | None = None) -> None:
        self._weights = weights or Weights()
        self._phrasings = [p for p in phrasings if p.key]
        self._entry_ids = [p.entry_id for p in self._phrasings]
        entry_words: dict[str, set[str]] = defaultdict(set)
        for phrasing in self._phrasings:
            entry_words[phrasing.entry_id].update(phrasing.key.tokens)
        entries = len(entry_words)
        document_frequency: dict[str, int] = defaultdict(int)
        for words in entry_words.values():
            for word in words:
                document_frequency[word] += 1
        self._idf = {w: math.log((entries + 1) / (df + 1)) + 1.0 for w, df in document_frequency.items()}
        self._document_frequency = dict(document_frequency)
        self._unknown_idf = self._weights.unknown_weight * (math.log(entries + 1) + 1.0)
        self._rows_of: dict[str, list[int]] = defaultdict(list)
        for row, phrasing in enumerate(self._phrasings):
            self._rows_of[phrasing.entry_id].append(row)
        with_classifier = self._weights.classifier > 0 and len(self._rows_of) > 1
        fitted = fitted_index([p.key.text for p in self._phrasings], self._entry_ids, with_classifier)
        self._one_text = fitted.char_vectors()
        self._postings = fitted.postings(len(self._phrasings))
        self._word_sets = [frozenset(p.key.tokens) for p in self._phrasings]
        self._weight_sums = [sum(self._idf[word] for word in words) for words in self._word_sets]
        self._short_phrasings = [
            (self._entry_ids[row], words)
            for row, words in enumerate(self._word_sets)
            if len(words) <= _SHORT_PHRASING
        ]
        self._entry_words = {entry_id: frozenset(words) for entry_id, words in entry_words.items()}
        self._classifier = (
            EntryClassifier(fitted.word_vectors(), self._one_text.width, fitted.classes)
            if fitted.classes is not None
            else None
        )
        self._rankings: Memory[tuple[MatchKey, int, frozenset[str] | None], tuple[Candidate, ...]] = Memory(
            _REMEMBERED_RANKINGS
        )

    def __len__(self) -> int:
        return len(self._phrasings)

    def question_weights(self, key: MatchKey, emphasis: frozenset[str] | None = None) -> dict[str, float]:
        """Each word's weight in a question.

        Knowledge-base words weigh their IDF; unknown words and names of other services
        the most, words that only
        the answers use (familiar) less, digits little. In a long story, unknown and
        familiar words weigh less in proportion: most of them are context, not the question.
        With ``emphasis`` (the words of the clause that asks), every other word weighs
        ``story_weight`` of that.
        """
        words = set(key.tokens)
        damping = min(1.0, self._weights.long_question_words / max(len(words), 1))
        weights = {}
        for word in words:
            if word in key.foreign:
                weights[word] = self._unknown_idf
            elif word in self._idf:
                weights[word] = self._idf[word]
            elif word.isdigit():
                weights[word] = 1.0
            elif word in key.unknown:
                weights[word] = self._unknown_idf * damping
            else:
                weights[word] = self._unknown_idf * damping * self._weights.familiar_weight
        if emphasis:
            story = self._weights.story_weight
            for word in weights.keys() - emphasis:
                weights[word] *= story
        return weights

    def known_weight(self, key: MatchKey) -> float:
        """The weight of the knowledge-base words of a key (0: it says nothing the base knows)."""
        return sum(self._idf.get(word, 0.0) for word in set(key.tokens) if word not in key.foreign)

    def vague(self, key: MatchKey) -> bool:
        """Whether ``key`` is one or two common words of the base and nothing else (see
        ``Weights.vague_share``)."""
        words = set(key.tokens)
        if not 0 < len(words) <= 2 or key.unknown or key.foreign:
            return False
        sharing = {entry_id for entry_id, phrasing in self._short_phrasings if words <= phrasing}
        return len(sharing) > max(1.0, self._weights.vague_share * len(self._entry_words))

    def matters(self, words: Iterable[str]) -> frozenset[str]:
        """The words of ``words`` that at most ``Weights.vague_share`` of the entries use: a matter
        of a few entries («شکایت», «المثنی»), not a word most of them share («دریافت», «شناسنامه»)."""
        most = self._weights.vague_share * len(self._entry_words)
        return frozenset(word for word in words if 0 < self._document_frequency.get(word, 0) <= most)

    @property
    def weights(self) -> Weights:
        return self._weights

    def unknown_share(self, key: MatchKey, emphasis: frozenset[str] | None = None) -> float:
        """How much of the question's weight lies in words the knowledge base does not know
        or that name another organisation's service."""
        weights = self.question_weights(key, emphasis)
        total = sum(weights.values())
        strange = (key.unknown | key.foreign) & weights.keys()
        return sum(weights[word] for word in strange) / total if total else 0.0

    def rank(self, key: MatchKey, limit: int = 5, emphasis: frozenset[str] | None = None) -> list[Candidate]:
        """Entries best first, each with its best phrasing and a score in [0, 1]; ``emphasis``: see
        :meth:`question_weights`. The recent rankings are remembered (``_REMEMBERED_RANKINGS``)."""
        if not key or not self._phrasings:
            return []
        asked = (key, limit, emphasis)
        found = self._rankings.get(asked)
        if found is None:
            found = self._rankings.keep(asked, tuple(self._rank(key, limit, emphasis)))
        return list(found)

    def _rank(self, key: MatchKey, limit: int, emphasis: frozenset[str] | None) -> list[Candidate]:
        """:meth:`rank`, computed."""
        query = self._one_text.row(key.text)
        char_scores = self._postings.scores(query)
        shortlist = min(self._weights.shortlist, len(self._phrasings))
        rows = np.argpartition(-char_scores, shortlist - 1)[:shortlist].tolist()
        entry_of = self._entry_ids
        probabilities = self._classifier.probabilities(key.text, query) if self._classifier else {}
        if probabilities:
            listed = {entry_of[row] for row in rows}
            most = self._weights.classifier_entries  # ties in the entries' order, as a stable sort
            for entry_id in heapq.nlargest(most, probabilities, key=probabilities.__getitem__):
                if entry_id not in listed:
                    rows.extend(self._rows_of[entry_id])
        weights = self.question_weights(key, emphasis)
        weight_of = weights.__getitem__
        query_words = frozenset(weights)
        query_weight = sum(weights.values()) or 1.0
        best_rows: dict[str, int] = {}  # each entry's best phrasing so far, and its score (rounded)
        best_scores: dict[str, float] = {}
        w = self._weights
        char_share, query_share, phrasing_share = w.char, w.query_coverage, w.phrasing_coverage
        entry_share, blend, trusted = w.entry_coverage, w.classifier, w.classifier_trust
        word_sets, weight_sums, entry_words = self._word_sets, self._weight_sums, self._entry_words
        entry_bonus: dict[str, float] = {}
        # the scores as floats (``float(char_scores[row])``, exactly), in the rows' order
        for row, char_score in zip(rows, char_scores[rows].tolist(), strict=True):
            shared = word_sets[row] & query_words
            shared_weight = sum(map(weight_of, shared))
            score = (
                char_share * char_score
                + query_share * shared_weight / query_weight
                + phrasing_share * shared_weight / (weight_sums[row] or 1.0)
            )
            entry_id = entry_of[row]
            bonus = entry_bonus.get(entry_id)
            if bonus is None:
                covered = entry_words[entry_id] & query_words
                bonus = entry_bonus[entry_id] = sum(map(weight_of, covered)) / query_weight
            score += entry_share * bonus
            if probabilities:
                trust = min(1.0, score / trusted)
                score = (1 - blend) * score + blend * probabilities[entry_id] * trust
            kept = best_scores.get(entry_id)
            if kept is None or score > kept:
                best_scores[entry_id] = round(min(score, 1.0), 4)
                best_rows[entry_id] = row
        ranked = sorted(best_scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        phrasings = self._phrasings
        return [Candidate(entry_id, score, phrasings[best_rows[entry_id]].text) for entry_id, score in ranked]

"""The answer engine: a question in, a decision out. Knows nothing of any messenger."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

from bot.engine.analyzer import Analyzer, MatchKey, hazm_lemmatizer
from bot.engine.clauses import Clause, Clauses, split_clauses
from bot.engine.decision import Decision, Doubts, Outcome, Thresholds, decide
from bot.engine.kept.analysis import analyzed
from bot.engine.lexicon import Lexicon, load_lexicon
from bot.engine.matcher import Candidate, Matcher, Phrasing, Weights, lead
from bot.engine.normalize import TextNormalizer
from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.knowledge.model import Entry, KnowledgeBase

__all__ = ["AnswerEngine", "Assessment", "Reply", "build_engine"]

#: How many recent questions an engine remembers its decision for (the same text asked again, as
#: citizens do with «شناسنامه» or «کارت ملی», is decided once). An engine is replaced whole on every
#: knowledge change (``bot/engine/live.py``: an edit, ``/reload``, a file changed on disk), and its
#: memory with it. About 1.7 MB full of the 1,024 longest test questions; at most about 5 MB.
RECENT_QUESTIONS = 1024

#: What a question was decided as: its match key, the decision and the ranking behind it.
type _Decided = tuple[MatchKey, Decision, tuple[Candidate, ...]]

#: A word this short cannot tell which service a question names, so it never lets an entry answer
#: a question about another organisation's service.
_NAMING_LETTERS = 3


@dataclass(frozen=True)
class Assessment:
    """Everything the decision needs about one question, before the thresholds apply."""

    key: MatchKey
    ranked: list[Candidate]
    doubts: Doubts
    parts: tuple[Candidate, Candidate] | None = None


@dataclass(frozen=True)
class Reply:
    """What the engine decided for one question, with what a log needs."""

    question: str
    key: MatchKey
    decision: Decision
    ranked: tuple[Candidate, ...]
    seconds: float

    @property
    def outcome(self) -> Outcome:
        return self.decision.outcome

    @property
    def answer_id(self) -> str | None:
        return self.decision.answer_id

    @property
    def offered_ids(self) -> list[str]:
        """The entries offered, best first; in both answer outcomes the answered one first."""
        return [candidate.entry_id for candidate in self.decision.candidates]

    @property
    def alternatives(self) -> list[str]:
        """The runner-ups to offer as buttons beside the answer (``answer_alternatives`` only)."""
        return list(self.decision.alternatives)

    @property
    def parts(self) -> list[str]:
        """For a question that asks two things, the entry of each part (the first is answered)."""
        return list(self.decision.parts)

    def to_json(self) -> dict[str, object]:
        """The ``sabtyar ask --jsonl`` record (fields are only ever added); ``score`` is the best
        entry's, whatever the outcome; ``parts`` only for a two-part question."""
        record: dict[str, object] = {
            "question": self.question,
            "answer_id": self.answer_id,
            "score": round(float(self.ranked[0].score) if self.ranked else 0.0, 4),
            "candidates": self.offered_ids,
            "outcome": str(self.outcome),
        }
        if self.decision.parts:
            record["parts"] = self.parts
        return record


class AnswerEngine:
    """Holds the knowledge base, its index and the thresholds; ``ask`` is pure and thread-safe."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        analyzer: Analyzer,
        thresholds: Thresholds,
        weights: Weights | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.thresholds = thresholds
        texts = [text for entry in knowledge.entries.values() for text in entry.phrasings]
        answers = [entry.answer for entry in knowledge.entries.values()]
        self.analyzer, keys = analyzed(analyzer, texts, answers)
        entry_ids = [entry.id for entry in knowledge.entries.values() for _ in entry.phrasings]
        phrasings = [Phrasing(*parts) for parts in zip(entry_ids, texts, keys, strict=True)]
        self.matcher = Matcher(phrasings, weights)
        # The words an entry's title and keywords say it is about (from the keys just analyzed).
        declared: dict[str, set[str]] = {entry_id: set() for entry_id in knowledge.entries}
        titled: dict[str, set[str]] = {entry_id: set() for entry_id in knowledge.entries}
        for phrasing in phrasings:
            entry = knowledge.entries[phrasing.entry_id]
            if phrasing.text == entry.title or phrasing.text in entry.keywords:
                declared[phrasing.entry_id].update(phrasing.key.tokens)
            if phrasing.text == entry.title:
                titled[phrasing.entry_id].update(phrasing.key.tokens)
        self._declared_words = {entry_id: frozenset(words) for entry_id, words in declared.items()}
        self._title_words = {entry_id: frozenset(words) for entry_id, words in titled.items()}
        # not an lru_cache of the bound method: that cycle kept a replaced engine until a full
        # garbage collection
        self._recent: OrderedDict[str, _Decided] = OrderedDict()
        self._recent_lock = threading.Lock()

    def entry(self, entry_id: str) -> Entry:
        return self.knowledge.entry(entry_id)

    def rank(self, question: str, limit: int = 5) -> tuple[MatchKey, list[Candidate]]:
        key = self.analyzer.analyze(question)
        return key, self.matcher.rank(key, limit)

    def doubts(
        self,
        key: MatchKey,
        ranked: list[Candidate],
        emphasis: frozenset[str] | None = None,
        asked: frozenset[str] | None = None,
        plain: frozenset[str] = frozenset(),
        thin: frozenset[str] | None = None,
        questioned: frozenset[str] = frozenset(),
    ) -> Doubts:
        """What speaks against answering ``key`` directly (see :class:`~bot.engine.decision.Doubts`);
        ``emphasis``: the asking clause's words in a message of several clauses; ``asked``: the
        words of what it asks (``emphasis`` unless the asking clause leans on the one before);
        ``plain``: the words of its clauses that name no other organisation's service (the asking
        clause aside when it is thin: two words or fewer besides its question words); ``thin``: then
        the words of the story without it; ``questioned``: other services' words named in a clause
        with a question mark (the question is theirs, however fully the story names a matter of
        the base: «کارت ملی هوشمندم رو گرفتم ... ثبت‌نام ثنا حضوریه؟»)."""
        # In a story, another organisation named in the context («the bank asked for my card») does
        # not make the question theirs: only the names in what it asks count.
        long = len(set(key.tokens)) >= self.matcher.weights.story_words
        story = emphasis is not None and long
        asked = asked if asked is not None else emphasis
        named = key
        if story and asked and self._names_own_matter(key, ranked, plain, thin):
            named = replace(key, foreign=key.foreign & asked)
        own = self._clearly_own(key, ranked) and not self._names_other_service(
            replace(key, foreign=questioned), ranked
        )
        other_service = self._names_other_service(named, ranked) and not own
        if key.foreign and not other_service:  # the best entry is about that service: its words are known
            key = replace(key, foreign=frozenset())
        share = self.matcher.unknown_share(key, emphasis)
        if emphasis is not None:
            share = min(share, self.matcher.unknown_share(replace(key, tokens=tuple(emphasis))))
        return Doubts(share, other_service=other_service, vague=self.matcher.vague(key), story=long)

    def _clearly_own(self, key: MatchKey, ranked: list[Candidate]) -> bool:
        """Whether the best entry is strong (``answer``) and the question names its matter in three or
        more words of its title apart from the other services («برای ثبت نام یارانه ... سری و سریال
        شناسنامه میخواد»: the subsidy is why the serial is asked for)."""
        if not ranked or ranked[0].score < self.thresholds.answer:
            return False
        return len(self._title_words_named(key, ranked[0].entry_id)) >= 3

    def _title_words_named(self, key: MatchKey, entry_id: str) -> frozenset[str]:
        """The words of ``entry_id``'s title that ``key`` names outside the other services' names."""
        return self._title_words[entry_id] & (frozenset(key.tokens) - key.foreign)

    def _names_own_matter(
        self,
        key: MatchKey,
        ranked: list[Candidate],
        plain: frozenset[str],
        thin: frozenset[str] | None = None,
    ) -> bool:
        """Whether a story names what its best entry is about apart from the other services: a word of
        the entry's title outside their names, or of its title or keywords in a clause that names none
        of them. «بانک کارت ملیمو قبول نکرد. چیکار کنم؟» does; «رمز پویای کارت بانکیم فعال نمیشه...
        چیکار کنم؟» does not (its «رمز» and «فعال» are said of the bank card). After a thin question
        (``thin``: the story's words without it) a title word counts only if the story says it and
        few entries use it («وام ... با کد ملی درخواست داده‌ام اما هنوز واریز نشده. چگونه پیگیری
        کنم؟»: the request is the loan's; «... یه دفتر پیشخوان هست که قبض و خدمات بیمه انجام
        میده. ... میشه اونجا انجام داد یا فقط اداره؟» names the counter)."""
        if not ranked:
            return False
        entry_id = ranked[0].entry_id
        named = self._title_words_named(key, entry_id)
        if thin is not None:  # only the story counts, and a word of a few entries' («پیشخوان»)
            named = self.matcher.matters(named & thin)
        return bool(named or plain & self._declared_words[entry_id])

    def _names_other_service(self, key: MatchKey, ranked: list[Candidate]) -> bool:
        """Whether ``key`` names another organisation's service that the best entry is not about:
        an entry whose title or keywords name it (``redirect-property``: «ثبت شرکت») may answer."""
        if not key.foreign:
            return False
        if any(len(word) < _NAMING_LETTERS for word in key.foreign):  # «بی» of «بیمه» names nothing
            return True
        return not (ranked and key.foreign <= self._declared_words.get(ranked[0].entry_id, frozenset()))

    def assess(self, question: str) -> Assessment:
        """The ranking, the doubts and the parts of a question (the thresholds apply later).

        Courtesy is dropped (unless it is all the message says). In a message of several clauses
        the words of the clause that asks weigh fully and the story's less; the asking clause is
        also scored alone and each entry keeps its better score. Two clauses that each name a
        different entry strongly, the later one adding a matter («... هم ...») or both asking,
        make a two-part question.
        """
        found = self._assess(question)
        if self.analyzer.pictures_only(question):  # «💍❤️»: choices at most, never an answer
            return replace(found, doubts=replace(found.doubts, vague=True))
        return found

    def _assess(self, question: str) -> Assessment:
        """What :meth:`assess` finds, before its rule for messages of emoji only."""
        clauses = split_clauses(question)
        matcher = self.matcher
        whole: MatchKey | None = None  # the whole message's key: analyzed only where it is used
        if clauses.content == question:
            whole = content = self.analyzer.analyze(question)
        else:
            content = self.analyzer.analyze(clauses.content)
            if not matcher.known_weight(content):
                whole = content = self.analyzer.analyze(question)
        if len(clauses.clauses) < 2 or content is whole:
            ranked = matcher.rank(content)
            if content is not whole:  # courtesy dropped: what the whole says still counts
                ranked = self._with_whole(question, whole, content, ranked)
            return Assessment(content, ranked, self.doubts(content, ranked))
        weights = matcher.weights
        keys = [
            (clause, self.analyzer.analyze(clause.text)) for clause in clauses.clauses[-weights.max_clauses :]
        ]
        content = self._names_within_clauses(content, clauses, keys)
        # a clause naming another organisation's service says what it is about, whatever else it knows
        informative = [(clause, key) for clause, key in keys if matcher.known_weight(key) or key.foreign]
        if not informative:
            ranked = matcher.rank(content)
            return Assessment(content, ranked, self.doubts(content, ranked))
        asking_clauses = [index for index, (clause, _) in enumerate(informative) if clause.asks]
        position = asking_clauses[-1] if asking_clauses else len(informative) - 1
        asking = informative[position][1]
        emphasis = frozenset(asking.tokens)
        ranked = matcher.rank(content, emphasis=emphasis)
        if not asking_clauses:  # nothing is asked: the courtesy dropped may be what it says («خیلی ممنون»)
            ranked = self._with_whole(question, whole, content, ranked)
        if weights.clause_scoring and weights.clause_blend > 0 and asking.tokens != content.tokens:
            ranked = _blend(
                matcher.rank(content, 10, emphasis), matcher.rank(asking, 10), weights.clause_blend
            )
        doubts = self._story_doubts(content, ranked, keys, informative, position)
        if doubts.story and len(ranked) > 1:
            # between two close entries of a story, what is asked decides; found whatever the margin,
            # so that the decision (and the calibration trying other margins) sees it
            doubts = replace(doubts, asked_leader=self._leader(asking))
        return Assessment(content, ranked, doubts, self._parts(informative, ranked))

    def _names_within_clauses(
        self, content: MatchKey, clauses: Clauses, keys: list[tuple[Clause, MatchKey]]
    ) -> MatchKey:
        """``content`` with only the other services' names that one clause spells out: the content
        joins its clauses with spaces, and a name never runs across two («... به اداره، کارای ...»
        is not «اداره کار»). ``keys``: the last clauses' keys, already analyzed."""
        if not content.foreign:
            return content
        limit = self.matcher.weights.max_clauses
        earlier = [self.analyzer.analyze(clause.text) for clause in clauses.clauses[:-limit]]
        named = frozenset(word for key in [*earlier, *(key for _, key in keys)] for word in key.foreign)
        return replace(content, foreign=content.foreign & named)

    def _story_doubts(
        self,
        content: MatchKey,
        ranked: list[Candidate],
        keys: list[tuple[Clause, MatchKey]],
        informative: list[tuple[Clause, MatchKey]],
        position: int,
    ) -> Doubts:
        """The doubts of a message of several clauses whose asking clause is at ``position`` of
        ``informative`` (``keys``: all its analyzed clauses): what it asks (see :meth:`_asked`,
        :meth:`_referred_services`), the services asked about with a question mark or wished for,
        and where a thin question's story must name its matter."""
        emphasis = frozenset(informative[position][1].tokens)
        asked_clauses = self._asked(informative, position)
        asked = frozenset(word for index in asked_clauses for word in informative[index][1].tokens)
        asked |= self._referred_services(informative, asked_clauses)
        # another organisation's service named in a clause that asks with a question mark, or says
        # what the citizen wants, is asked about wherever that clause stands («کلاس مشاوره پیش از
        # ازدواج اجباریه؟ کجا ثبت‌نام کنیم؟», «یه کارت اهدای عضو می‌خوام بگیرم. با کد ملی میشه؟»)
        asked |= frozenset(
            word for clause, key in informative if clause.marked or clause.wants for word in key.foreign
        )
        questioned = frozenset(word for clause, key in informative if clause.marked for word in key.foreign)
        thin = None
        if self._thin(informative[position][1]):
            # a thin question («چگونه پیگیری کنم؟») names no matter: the story must
            keys = [(clause, key) for clause, key in keys if clause is not informative[position][0]]
            thin = frozenset(word for _, key in keys for word in key.tokens)
        plain = frozenset(word for _, part in keys if not part.foreign for word in part.tokens)
        return self.doubts(content, ranked, emphasis, asked, plain, thin, questioned)

    def _asked(self, informative: list[tuple[Clause, MatchKey]], position: int) -> list[int]:
        """The clauses of what the asking clause (at ``position``) asks: itself, with the clause
        before when it asks about that one («... میخوام یارانه‌شو هم بگیرم. از کجا باید ثبتش کنم؟»,
        «کارت ایثارگری پدرم منقضی شده. تمدید آن با کدام نهاد است؟»), and further back while each
        clause taken in is thin and points back too («بیمه خویش‌فرما ... شرایطش چیه و ثبت‌نامش ...
        از کجا؟»; not «پزشک اومد برگه داد. الان برای مراسم و کارای بعدش گیج شدیم. برای ثبت فوتش ...»)."""
        if not position or not self._asks_about_before(informative, position):
            return [position]
        index = position - 1
        while index and position - index < _POINTING_CHAIN and self._thin_pointer(*informative[index]):
            index -= 1
        return list(range(index, position + 1))

    def _thin_pointer(self, clause: Clause, key: MatchKey) -> bool:
        """Whether a clause says next to nothing of its own and points back («شرایطش چیه»)."""
        return self._thin(key) and self.analyzer.points_back(clause.text)

    def _thin(self, key: MatchKey) -> bool:
        """Whether a clause names ``_THIN_CLAUSE_WORDS`` words or fewer besides its question words."""
        return len(self.analyzer.without_question_words(frozenset(key.tokens))) <= _THIN_CLAUSE_WORDS

    def _asks_about_before(self, informative: list[tuple[Clause, MatchKey]], position: int) -> bool:
        """Whether the asking clause (at ``position``) asks about the clause before it: it points
        back, or it is thin and the one before asks too, adds a matter, says what the citizen wants
        or is named again («از پزشک شکایت دارم. شکایتم رو کجا ثبت کنم؟»), not when it tells why
        («الان برای بیمه گیره. چیکار کنیم؟»)."""
        clause, key = informative[position]
        before, before_key = informative[position - 1]
        if self.analyzer.points_back(clause.text) or (clause.joined and before.asks) or before.purpose:
            return True
        return self._thin(key) and (
            before.asks
            or before.also
            or before.wants
            or bool(self.matcher.matters(frozenset(key.tokens) & set(before_key.tokens)))
        )

    def _referred_services(
        self, informative: list[tuple[Clause, MatchKey]], asking: list[int]
    ) -> frozenset[str]:
        """The words of the other services' names that the asking clauses (at ``asking``) refer to
        by a word the rest of the message uses only inside such a name («... گواهی عدم سوء پیشینه
        خواستن. این گواهی رو ثبت احوال میده؟», «کارت ایثارگریم گم شده. کارت المثنی از کجا؟»)."""
        asked = [key for index, (_, key) in enumerate(informative) if index in asking]
        others = [key for index, (_, key) in enumerate(informative) if index not in asking]
        foreign = frozenset(word for key in others for word in key.foreign)
        if any(key.foreign for key in asked) or not foreign:
            return frozenset()
        # a word said once in the rest of the message, inside a name: «کارت ملی و کارت بانکیم» says
        # «کارت» twice, once for the national card
        said = Counter(word for key in others for word in key.tokens)
        words = self.analyzer.without_question_words(frozenset(word for key in asked for word in key.tokens))
        referred = {word for word in words & foreign if said[word] == 1}
        return frozenset(word for key in others if key.foreign & referred for word in key.foreign)

    def _leader(self, key: MatchKey) -> str | None:
        """The entry ``key`` alone ranks first, ``part_margin`` clear of its runner-up, or ``None``."""
        own = self.matcher.rank(key, 2)
        if not own:
            return None
        return own[0].entry_id if lead(own) >= self.matcher.weights.part_margin else None

    def _with_whole(
        self, question: str, whole: MatchKey | None, content: MatchKey, ranked: list[Candidate]
    ) -> list[Candidate]:
        """``ranked`` with each entry at its better score of the content's and the whole message's
        ranking (analyzed now unless ``whole`` is given); a ranking depends on the key alone, so a
        whole message with the content's key («...؟» without its «؟») adds nothing."""
        whole = whole or self.analyzer.analyze(question)
        return _better_of(ranked, self.matcher.rank(whole)) if whole != content else ranked

    def _parts(
        self, informative: list[tuple[Clause, MatchKey]], ranked: list[Candidate]
    ) -> tuple[Candidate, Candidate] | None:
        """The two entries of a two-part question, in the order asked, or ``None``: each strongly
        matched by a clause of its own, or the message's two best entries when each is the best of
        a clause (the first asked comes first)."""
        weights = self.matcher.weights
        clauses = [clause for clause, _ in informative]
        # a clause can only be part of a pair it may ask two things with: the others are not ranked
        paired = {
            index
            for first, second in itertools.combinations(range(len(clauses)), 2)
            if _may_pair(clauses[first], clauses[second])
            for index in (first, second)
        }
        strong: list[tuple[Clause, Candidate]] = []
        bests: list[tuple[Clause, tuple[str, ...]]] = []  # each clause's two best entries
        for index, (clause, key) in enumerate(informative):
            if index not in paired or key.foreign:
                continue
            own = self.matcher.rank(key, 2)
            if not own:
                continue
            # one word is a matter when it names the entry («من سیدم»), else context («الان شهر ...»)
            words = set(key.tokens)
            if len(words) < _PART_WORDS and not words <= self._declared_words.get(own[0].entry_id, set()):
                continue
            bests.append((clause, tuple(candidate.entry_id for candidate in own)))
            if own[0].score >= weights.part_score and lead(own) >= weights.part_margin:
                strong.append((clause, own[0]))
        # a first part not asked with a question mark is a matter of the whole message too, one its
        # ranking would offer («کارت ملی هوشمندم رو گرفتم ... گذرنامه رو هم ثبت احوال میده؟» asks of
        # the passport alone; «شناسنامه نوزاد رو کجا بگیرم؟ میخوام براش اسم انتخاب کنم ...» of both)
        offered = {c.entry_id for c in ranked if c.score >= self.thresholds.suggest}
        for (first_clause, first), (second_clause, second) in itertools.combinations(strong, 2):
            if (
                first.entry_id != second.entry_id
                and (first_clause.marked or {first.entry_id, second.entry_id} <= offered)
                and _may_pair(first_clause, second_clause)
            ):
                return first, second
        leading = [c for c in ranked[:2] if c.score >= self.thresholds.alternatives_answer]
        if len(leading) < 2:
            return None
        for (first_clause, first_own), (second_clause, second_own) in itertools.combinations(bests, 2):
            if not _may_pair(first_clause, second_clause):
                continue
            for one, other in (leading, leading[::-1]):
                # each clause leans to its own: one is the first clause's best and the second's
                # runner-up at most, the other the second clause's best or runner-up, not the first's best
                if (
                    first_own[0] == one.entry_id
                    and other.entry_id in second_own
                    and second_own[0] != one.entry_id
                ):
                    return one, other
        return None

    def reads_as_question(self, text: str) -> bool:
        """Whether ``text`` reads as a new question rather than a remark: a question mark or word,
        or a text the engine would answer directly (``ثبت ولادت نوزاد``)."""
        return self.analyzer.has_question_mark_or_word(text) or self.ask(text).outcome is Outcome.ANSWER

    def ask(self, question: str) -> Reply:
        """The decision for ``question``; the same text asked again (``RECENT_QUESTIONS``) is not
        decided again (``ask`` is pure), and its ``seconds`` are that call's own."""
        started = time.perf_counter()
        with self._recent_lock:
            decided = self._recent.get(question)
            if decided is not None:
                self._recent.move_to_end(question)
        if decided is None:
            decided = self._decide(question)
            with self._recent_lock:
                self._recent[question] = decided
                if len(self._recent) > RECENT_QUESTIONS:
                    self._recent.popitem(last=False)
        key, decision, ranked = decided
        return Reply(question, key, decision, ranked, time.perf_counter() - started)

    def _decide(self, question: str) -> _Decided:
        assessment = self.assess(question)
        decision = decide(assessment.ranked, self.thresholds, assessment.doubts, assessment.parts)
        return assessment.key, decision, tuple(assessment.ranked)


#: An asking clause of this many words or fewer, its question words aside («از کجا باید ثبتش کنم»), asks
#: about the clause before it.
_THIN_CLAUSE_WORDS = 2
#: How many clauses back an asking clause reaches through clauses that each point back.
_POINTING_CHAIN = 3


#: A clause needs this many distinct words to be one part of a two-part question.
_PART_WORDS = 2


def _may_pair(first: Clause, second: Clause) -> bool:
    """Whether two clauses, in this order, may ask two things: never when the first reports what
    someone said («گفتن ... لازمه»); else when the later adds a matter («... هم»), or the first
    asks and the later asks too or says what the citizen wants («... میخوام شکایت کنم»)."""
    return not first.reports and (second.also or (first.asks and (second.asks or second.wants)))


def _better_of(first: list[Candidate], second: list[Candidate]) -> list[Candidate]:
    """Each entry at its better score of two rankings, best first."""
    best = {c.entry_id: c for c in first}
    for candidate in second:
        if candidate.entry_id not in best or candidate.score > best[candidate.entry_id].score:
            best[candidate.entry_id] = candidate
    return sorted(best.values(), key=lambda c: (-c.score, c.entry_id))[: max(len(first), len(second))]


def _blend(whole: list[Candidate], clause: list[Candidate], share: float, limit: int = 5) -> list[Candidate]:
    """Each entry at ``(1 - share) x`` its whole-message score ``+ share x`` its asking-clause score."""
    scores = {c.entry_id: c for c in whole}
    clause_scores = {c.entry_id: c.score for c in clause}
    for candidate in clause:
        scores.setdefault(candidate.entry_id, Candidate(candidate.entry_id, 0.0, candidate.phrasing))
    blended = [
        Candidate(
            c.entry_id,
            round((1 - share) * c.score + share * clause_scores.get(c.entry_id, 0.0), 4),
            c.phrasing,
        )
        for c in scores.values()
    ]
    return sorted(blended, key=lambda c: (-c.score, c.entry_id))[:limit]


def build_engine(
    knowledge_dir: Path,
    thresholds: Thresholds | None = None,
    weights: Weights | None = None,
    base_analyzer: Analyzer | None = None,
) -> AnswerEngine:
    """Load and validate the knowledge folder and index it (a few seconds: hazm's models load)."""
    knowledge = load_knowledge(knowledge_dir)
    lexicon, problems = load_lexicon(knowledge_dir)
    if problems:
        raise KnowledgeError(problems)
    analyzer = base_analyzer or new_analyzer(lexicon)
    return AnswerEngine(knowledge, analyzer, thresholds or Thresholds(), weights)


def new_analyzer(lexicon: Lexicon) -> Analyzer:
    """The costly part of an engine (hazm's normalizer and lemmatizer), built once per process."""
    return Analyzer(TextNormalizer(), lexicon, hazm_lemmatizer(), keeps_analysis=True)

"""A message cut into clauses, with the courtesy taken out and the clause that asks found.

Citizens often tell a story before they ask («دیروز کیفم رو زدن ... حالا برای کارت ملی چیکار
کنم؟») or ask two things at once («کارت ملیم گم شده، شناسنامه‌ام هم پاره شده»). A clause ends
at sentence punctuation or before a connective that turns to the question (``ولی``, ``اما``,
``حالا``, ``می‌خواستم بپرسم``, ``سوالم اینه``); courtesy («سلام»، «وقت بخیر»، «ببخشید»،
«ممنون میشم») carries no topic and is dropped when something else is said. The asking clause is
the last one with a question mark or a question word, else the last one.

Works on raw text (before normalization, which drops the punctuation) and only with plain
string operations: it runs on every long message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Clause", "Clauses", "split_clauses"]

_ZWNJ = "\u200c"

#: Sentence punctuation (Persian and Latin), line breaks and emoji-free separators.
_PUNCTUATION = re.compile(r"[.!?؟!؛;:\n\r…]+|[،,](?=\s)|[،,]")
#: Connectives that start the clause that matters; the split comes before them.
_CONNECTIVES = (
    "ولی",
    "اما",
    "منتها",
    "حالا",
    "الان",
    "فقط",
    "می خواستم بپرسم",
    "میخواستم بپرسم",
    "می خواستم ببینم",
    "میخواستم ببینم",
    "می خواستم بدونم",
    "میخواستم بدونم",
    "خواستم بپرسم",
    "سوالم اینه",
    "سوالم این است",
    "سوال من این است",
    "سوال داشتم",
    "یه سوال",
    "یک سوال",
    "سوال دیگه",
    "سوال دیگر",
    "ضمنا",
    "همچنین",
    "در ضمن",
    "راستی",
)
#: Words that mark a clause as asking (after ZWNJ and Arabic letters are folded to spaces/Persian).
_QUESTION_WORDS = frozenset(
    [
        "چطور",
        "چطوری",
        "چجوری",
        "چگونه",
        "کجا",
        "کجاست",
        "کجاها",
        "چه",
        "چی",
        "چیه",
        "چیکار",
        "چکار",
        "چرا",
        "کی",
        "کیه",
        "آیا",
        "ایا",
        "چند",
        "چنده",
        "چقدر",
        "چقد",
        "چقدره",
        "میشه",
        "می",
        "شه",
        "می\u200cشه",
        "میتونم",
        "می\u200cتونم",
        "می",
        "توانم",
        "میتوانم",
        "می\u200cتوانم",
        "باید",
        "بایست",
        "لازمه",
        "لازم",
        "کدوم",
        "کدام",
        "یا",
        "نه",
        "مگه",
        "ممکنه",
        "امکان",
    ]
)
#: Courtesy: greetings, apologies, thanks, requests for help; dropped when the message says more.
_COURTESY = (
    "سلام علیکم",
    "سلام و وقت بخیر",
    "سلام وقت بخیر",
    "سلام وقتتون بخیر",
    "سلام خسته نباشید",
    "با سلام",
    "سلام",
    "درود",
    "وقت بخیر",
    "وقتتون بخیر",
    "وقت شما بخیر",
    "روز بخیر",
    "صبح بخیر",
    "عصر بخیر",
    "شب بخیر",
    "خسته نباشید",
    "ببخشید",
    "ببخشین",
    "عذر میخوام",
    "عذر می خوام",
    "معذرت میخوام",
    "پوزش",
    "ممنون میشم",
    "ممنون می شم",
    "ممنون میشوم",
    "ممنون می شوم",
    "سپاسگزار میشم",
    "سپاسگزارم",
    "متشکرم",
    "ممنونم",
    "ممنون",
    "مرسی",
    "با تشکر",
    "تشکر",
    "لطفا",
    "لطفاً",
    "خواهش میکنم",
    "خواهش می کنم",
    "دستتون درد نکنه",
    "خدا خیرتون بده",
    "مرسی از شما",
    "کمکم کنید",
    "کمک کنید",
    "میشه کمکم کنید",
    "ممنون میشم راهنمایی کنید",
    "لطفا راهنمایی کنید",
    "راهنمایی کنید",
    "راهنماییم کنید",
    "راهنمایی بفرمایید",
    "لطفا بفرمایید",
    "بفرمایید",
    "ممنون از راهنماییتون",
    "پیشاپیش ممنون",
    "ببخشید مزاحم میشم",
    "مزاحم میشم",
    "مزاحم شدم",
    "مزاحمتون شدم",
    "پیشاپیش از راهنمایی شما سپاسگزارم",
)

_CONNECTIVE_SPLIT = re.compile(
    r"(?:(?<=\s)|^)(?=(?:" + "|".join(re.escape(c) for c in _CONNECTIVES) + r")(?:\s|$))"
)
#: Words that add a second matter to a message.
_ALSO = frozenset(["هم", "همچنین", "ضمنا", "ضمناً", "ضمن", "همینطور", "راستی", "شم"])
#: The question words that ask by themselves (not «می», «میشه»): a «و» between two clauses with one
#: each joins two questions.
_INTERROGATIVES = frozenset(
    ["چطور", "چطوری", "چجوری", "چگونه", "کجا", "کجاست", "چه", "چی", "چیه", "چیکار", "چکار", "چرا", "کی",
     "آیا", "ایا", "چقدر", "چقدره", "کدوم", "کدام"]
)  # fmt: skip
#: Words by which a clause says what the citizen wants to do («میخوایم یارانه‌مون رو جدا کنیم»).
_WANTS = frozenset(["میخوام", "میخوایم", "میخواهم", "میخواهیم", "میخواستم", "میخواستیم", "قصد", "بخواهم"])
#: Words by which a clause reports what someone told the citizen («گفتن اول کارت ملی لازمه»): the
#: requirement the question is about, not a matter of its own.
_REPORTS = frozenset(["گفتن", "گفتند", "گفته", "گفته‌اند", "میگن", "میگه", "گفت"])
#: Openings by which a clause tells what something is needed for («برای نوبت دکتر لازم داریم»).
_PURPOSE_OPENINGS = ("برای ", "واسه ", "بخاطر ", "به خاطر ")
#: Question words that also state a need («لازم داریم», «باید ببریم»): alone in a clause that tells
#: a purpose, without a question mark, they do not ask.
_NEED_WORDS = frozenset(["لازم", "لازمه", "باید", "بایست"])
#: Phrases that announce another matter («یه سوال دیگه، ...»).
_ANOTHER_MATTER = (
    "یه سوال دیگه",
    "یک سوال دیگه",
    "یک سوال دیگر",
    "سوال دیگه",
    "سوال دیگر",
    "یه چیز دیگه",
    "یک چیز دیگر",
)
#: Openings that add a second matter («و اینکه ...», «یه سوال دیگه فامیلیمو ...»).
_ALSO_OPENINGS = ("و اینکه", "و این که", "اینکه", "و همچنین", "و ضمنا", *_ANOTHER_MATTER)
#: Clauses that only announce another matter; they lend it to the clause after them.
_ANNOUNCING = frozenset(
    [*_ANOTHER_MATTER, "یه سوال دیگه هم", "سوال دوم", "سوال دومم", "راستی", "ضمنا", "همچنین", "در ضمن"]
)
#: Spoken «هم» glued after «ـش» («امضای دیجیتالشم»: its digital signature too); verbs («میشم»،
#: «بشم») and the few nouns ending so are not it.
_GLUED_ALSO = "شم"
_NOT_GLUED_ALSO = ("می", "نمی", "ب", "ن")
_COURTESY_RE = re.compile(
    r"(?:(?<=\s)|^)(?:"
    + "|".join(re.escape(c) for c in sorted(_COURTESY, key=len, reverse=True))
    + r")(?=\s|$)"
)
#: The opening of a clause that goes on from the one before.
_AND = "و "
_FOLDS = str.maketrans({"ي": "ی", "ك": "ک", "ً": ""})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Clause:
    text: str
    asks: bool
    """Ends with a question mark or holds a question word."""
    also: bool = False
    """Adds a second matter («شناسنامه‌ام هم ...», «ضمنا ...», «یه سوال دیگه»)."""
    wants: bool = False
    """Says what the citizen wants to do («میخوام ...», «قصد دارم ...»)."""
    reports: bool = False
    """Reports what someone told the citizen («گفتن ... لازمه»), without a question mark."""
    marked: bool = False
    """Ends with a question mark."""
    purpose: bool = False
    """Tells what something is for («برای انتقال پلاک به نام مادرم»): the question after it asks
    about that."""
    joined: bool = False
    """Opens with «و» («... از کجا ثبت کنم و چقدر طول می‌کشه تا دادگاه وقت بده»): it goes on from
    the clause before."""


@dataclass(frozen=True)
class Clauses:
    clauses: tuple[Clause, ...]
    courtesy_only: bool = False

    @property
    def content(self) -> str:
        """The message without its courtesy (the whole message if it is nothing but courtesy)."""
        return " ".join(clause.text for clause in self.clauses)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text.translate(_FOLDS)).strip()


def split_clauses(text: str) -> Clauses:
    """Cut a message into clauses without courtesy; never raises."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _PUNCTUATION.finditer(text):
        pieces.append((text[position : match.start()], "?" in match.group() or "؟" in match.group()))
        position = match.end()
    pieces.append((text[position:], False))
    clauses: list[Clause] = []
    had_courtesy = False
    for piece, question_mark in pieces:
        parts = [q for p in _CONNECTIVE_SPLIT.split(_clean(piece)) if p.strip() for q in _split_at_and(p)]
        for index, part in enumerate(parts):
            stripped = _clean(_COURTESY_RE.sub(" ", part))
            had_courtesy |= stripped != _clean(part)
            if not stripped:
                continue
            words = set(stripped.replace(_ZWNJ, " ").split())
            marked = question_mark and index == len(parts) - 1
            purpose = stripped.startswith(_PURPOSE_OPENINGS)
            asks = marked or _asks(words, purpose)
            reports = _reports(marked, words)
            also = bool(words & _ALSO) or any(map(_glued_also, words)) or stripped.startswith(_ALSO_OPENINGS)
            wants = _wants(stripped, words)
            if clauses and clauses[-1].text in _ANNOUNCING and not clauses[-1].asks:
                # «یه سوال دیگه، ...»: the clause that announces another matter says nothing else
                clauses[-1] = Clause(stripped, asks, True, wants, reports, marked, purpose)
                continue
            joined = stripped.startswith(_AND)
            clauses.append(Clause(stripped, asks, also, wants, reports, marked, purpose, joined))
    if not clauses:
        return Clauses((Clause(_clean(text), False),) if _clean(text) else (), courtesy_only=had_courtesy)
    return Clauses(tuple(clauses))


def _split_at_and(text: str) -> list[str]:
    """``text`` cut at the first «و» that joins two questions: the words before it ask or say what
    the citizen wants, and the three or more words after it besides question words ask or add a
    matter («ثبت فوتش رو چطوری انجام بدیم و بعدش انحصار وراثت رو از کجا بگیریم»; not «... و چقدر
    طول میکشه», which asks on about the same matter); else ``[text]``."""
    words = text.split(" ")
    for index, word in enumerate(words):
        if word != "و" or not 0 < index < len(words) - 1:
            continue
        if {words[index - 1], words[index + 1]} <= _INTERROGATIVES or words[index + 1] in _ALSO:
            continue  # «کی و کجا», «هم ... و هم»
        before = set(" ".join(words[:index]).replace(_ZWNJ, " ").split())
        after = set(" ".join(words[index + 1 :]).replace(_ZWNJ, " ").split())
        substantive = (
            len(words) - index - 1 - len([w for w in words[index + 1 :] if w in _INTERROGATIVES]) >= 3
        )
        if (
            substantive
            and (before & _INTERROGATIVES or _wants(" ".join(words[:index]), before))
            and (after & _INTERROGATIVES or after & _ALSO)
        ):
            return [" ".join(words[:index]), " ".join(words[index:])]
    return [text]


def _asks(words: set[str], purpose: bool) -> bool:
    """Whether a clause without a question mark holds a question word (``words``: as in
    :func:`_wants`); a purpose told with a need («برای نوبت دکتر لازم داریم») does not ask."""
    asked = words & _QUESTION_WORDS
    return bool(asked) and not (purpose and asked <= _NEED_WORDS)


def _wants(text: str, words: set[str]) -> bool:
    """Whether a clause says what the citizen wants (``words``: its words, half-spaces as spaces)."""
    return bool(words & _WANTS) or "می خوا" in text.replace(_ZWNJ, " ")


def _reports(question_mark: bool, words: set[str]) -> bool:
    """Whether a clause without a question mark reports what someone said (``words``: as in
    :func:`_wants`)."""
    return not question_mark and bool(words & _REPORTS)


def _glued_also(word: str) -> bool:
    return len(word) > 4 and word.endswith(_GLUED_ALSO) and not word.startswith(_NOT_GLUED_ALSO)

"""Button data: built and parsed here only, compact (at most 64 bytes) and validated.

Forms::

    r:<answer_event_id>:<score>   rate an answer shown (score 1..5)
    c:<question_id>:<index>       choose "did you mean" option <index> (0-based) of a question
    x:<question_id>               none of the offered options
    m:  /  m:<category>           the service menu: categories, or one category's topics
    t:<entry>                     show a topic's answer
    more:<answer_event_id>        the full answer of an answer shown
    k:<answer_event_id>           skip the comment after a low rating
    lang:<code>                   reply language (fa, en)
    h:  /  h:<question_id>        talk to a person (about a question of the presser's)
    sc:<task>  /  sx:<task>       staff: confirm / cancel a previewed edit or broadcast
    ua:<question_id>:<entry>      staff: add an unanswered question as a phrasing of <entry>
    ud:<question_id>              staff: dismiss an unanswered question's match form

``parse`` returns ``None`` for anything else (garbage, forged shapes, out-of-range numbers), so
handlers never see a half-valid value. Whether an id belongs to the presser is the store's
question, not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "MAX_BYTES",
    "STAFF_TASKS",
    "AddPhrasing",
    "CallbackData",
    "Choose",
    "Dismiss",
    "Handoff",
    "Language",
    "Menu",
    "More",
    "NoneOfThese",
    "Rate",
    "SkipComment",
    "StaffCancel",
    "StaffConfirm",
    "Topic",
    "encode",
    "matches",
    "parse",
]

MAX_BYTES = 64
_MAX_ID = 2**63 - 1
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_NUMBER = r"[1-9][0-9]{0,18}"


@dataclass(frozen=True)
class Rate:
    event_id: int
    score: int


@dataclass(frozen=True)
class Choose:
    question_id: int
    index: int


@dataclass(frozen=True)
class NoneOfThese:
    question_id: int


@dataclass(frozen=True)
class Menu:
    category: str = ""


@dataclass(frozen=True)
class Topic:
    entry_id: str


@dataclass(frozen=True)
class More:
    event_id: int


@dataclass(frozen=True)
class SkipComment:
    event_id: int


@dataclass(frozen=True)
class Language:
    code: str


@dataclass(frozen=True)
class Handoff:
    question_id: int = 0
    """0: no particular question."""


@dataclass(frozen=True)
class StaffConfirm:
    task: str


@dataclass(frozen=True)
class StaffCancel:
    task: str


@dataclass(frozen=True)
class AddPhrasing:
    question_id: int
    entry_id: str


@dataclass(frozen=True)
class Dismiss:
    question_id: int


CallbackData = (
    Rate
    | Choose
    | NoneOfThese
    | Menu
    | Topic
    | More
    | SkipComment
    | Language
    | Handoff
    | StaffConfirm
    | StaffCancel
    | AddPhrasing
    | Dismiss
)
#: What a staff member confirms or cancels.
STAFF_TASKS = ("edit", "broadcast")
_TASK = "(" + "|".join(STAFF_TASKS) + ")"

_FORMS: tuple[tuple[re.Pattern[str], Callable[..., CallbackData]], ...] = (
    (re.compile(rf"r:({_NUMBER}):([1-5])"), lambda e, s: Rate(int(e), int(s))),
    (re.compile(rf"c:({_NUMBER}):([0-9])"), lambda q, i: Choose(int(q), int(i))),
    (re.compile(rf"x:({_NUMBER})"), lambda q: NoneOfThese(int(q))),
    (re.compile(rf"m:({_SLUG})?"), lambda c: Menu(c or "")),
    (re.compile(rf"t:({_SLUG})"), Topic),
    (re.compile(rf"more:({_NUMBER})"), lambda e: More(int(e))),
    (re.compile(rf"k:({_NUMBER})"), lambda e: SkipComment(int(e))),
    (re.compile(r"lang:(fa|en)"), Language),
    (re.compile(rf"h:({_NUMBER})?"), lambda q: Handoff(int(q) if q else 0)),
    (re.compile(rf"sc:{_TASK}"), StaffConfirm),
    (re.compile(rf"sx:{_TASK}"), StaffCancel),
    (re.compile(rf"ua:({_NUMBER}):({_SLUG})"), lambda q, e: AddPhrasing(int(q), e)),
    (re.compile(rf"ud:({_NUMBER})"), lambda q: Dismiss(int(q))),
)


def _render(data: CallbackData) -> str:
    match data:
        case Rate(event_id, score):
            return f"r:{event_id}:{score}"
        case Choose(question_id, index):
            return f"c:{question_id}:{index}"
        case NoneOfThese(question_id):
            return f"x:{question_id}"
        case Menu(category):
            return f"m:{category}"
        case Topic(entry_id):
            return f"t:{entry_id}"
        case More(event_id):
            return f"more:{event_id}"
        case SkipComment(event_id):
            return f"k:{event_id}"
        case Language(code):
            return f"lang:{code}"
        case Handoff(question_id):
            return f"h:{question_id or ''}"
        case StaffConfirm(task):
            return f"sc:{task}"
        case StaffCancel(task):
            return f"sx:{task}"
        case AddPhrasing(question_id, entry_id):
            return f"ua:{question_id}:{entry_id}"
        case Dismiss(question_id):
            return f"ud:{question_id}"
    raise TypeError(f"not callback data: {data!r}")


def encode(data: CallbackData) -> str:
    """The button string; ``ValueError`` if it would not parse back or exceeds 64 bytes."""
    text = _render(data)
    if len(text.encode()) > MAX_BYTES or parse(text) != data:
        raise ValueError(f"cannot encode {data!r} as callback data")
    return text


def parse(data: object) -> CallbackData | None:
    """The value a button carries, or ``None`` for anything not built by :func:`encode`."""
    if not isinstance(data, str) or not data or len(data.encode()) > MAX_BYTES:
        return None
    for pattern, build in _FORMS:
        if found := pattern.fullmatch(data):
            value = build(*found.groups())
            numbers = [v for v in vars(value).values() if isinstance(v, int)]
            return value if all(n <= _MAX_ID for n in numbers) else None
    return None


def matches(kind: type[CallbackData]) -> Callable[[object], bool]:
    """A ``CallbackQueryHandler`` pattern accepting data that parses as ``kind``."""

    def check(data: object) -> bool:
        return isinstance(parse(data), kind)

    return check

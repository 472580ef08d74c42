"""Button data: built and parsed here only, compact (at most 64 bytes) and validated.

Forms::

    r:<answer_event_id>:<score>   rate an answer shown (score 1..5)
    c:<question_id>:<index>       choose "did you mean" option <index> (0-based) of a question
    alt:<question_id>:<index>     open entry <index> of those offered under a question's answer
    x:<question_id>               none of the offered options
    m:  /  m:<category>           the service menu: categories, or one category's topics
    t:<entry>                     show a topic's answer
    more:<answer_event_id>        the full answer of an answer shown
    k:<answer_event_id>           skip the comment after a low rating
    lang:<code>                   reply language (fa, en)
    h:  /  h:<question_id>        talk to a person (about a question of the presser's)
    pv:                           the privacy notice
    sc:<task>:<draft>             staff: confirm a previewed edit or broadcast (draft <draft> only)
    sx:<task>:<draft>             staff: cancel it
    ua:<question_id>:<entry>      staff: add an unanswered question as a phrasing of <entry>
    ud:<question_id>              staff: dismiss an unanswered question's match form
    sa:<id>  /  sr:<id>           staff: accept / reject a suggested phrasing
    wa:<token>  /  wx:<token>     staff: apply / drop a previewed workbook import
    ep:<entry>                    staff: edit this entry (a result of ``/edit`` search words)
    rv:<entry>:<v|n>              staff: entry verified today (v) / needs review (n)
    sm:<member_id>                staff admin: remove a staff member

Each form is declared once, as a dataclass whose fields carry their pattern; the pattern, the
parser and the writer are derived from it. ``parse`` returns ``None`` for anything else
(garbage, forged shapes, out-of-range numbers), so
handlers never see a half-valid value. Whether an id belongs to the presser is the store's
question, not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from functools import cache, lru_cache
from typing import Annotated, Any, ClassVar, get_args, get_type_hints

__all__ = [
    "FORMS",
    "MAX_BYTES",
    "STAFF_TASKS",
    "AcceptSuggestion",
    "AddPhrasing",
    "Alternative",
    "Button",
    "CallbackData",
    "Choose",
    "Dismiss",
    "EditPick",
    "Handoff",
    "ImportApply",
    "ImportDrop",
    "Language",
    "Menu",
    "More",
    "NoneOfThese",
    "Privacy",
    "Rate",
    "RejectSuggestion",
    "RemoveStaff",
    "Review",
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
#: What a staff member confirms or cancels.
STAFF_TASKS = ("edit", "broadcast")
_TASK = "|".join(STAFF_TASKS)


class Button:
    """A button form: its ``PREFIX`` and, per dataclass field, the pattern of its part (``Annotated``).

    A field with a default is optional: written empty when it holds the default."""

    PREFIX: ClassVar[str]

    @classmethod
    @cache
    def _parts(cls) -> tuple[tuple[str, str, type, Any], ...]:
        """Each field's name, pattern, type and default; read from the annotations once per form
        (``get_type_hints`` evaluates them: it was a sixth of the bot's CPU per update)."""
        hints = get_type_hints(cls, include_extras=True)
        parts = []
        for item in fields(cls):  # type: ignore[arg-type]
            annotated = hints[item.name]
            kind, pattern = get_args(annotated)[:2]
            default = None if item.default is MISSING else item.default
            parts.append((item.name, pattern, kind, default))
        return tuple(parts)

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        parts = "".join(
            f":({pattern}){'?' if default is not None else ''}" for _n, pattern, _k, default in cls._parts()
        )
        return re.compile(rf"{re.escape(cls.PREFIX)}{parts or ':'}")

    @classmethod
    def build(cls, groups: tuple[str | None, ...]) -> Button | None:
        values = {}
        for (name, _pattern, kind, default), group in zip(cls._parts(), groups, strict=True):
            value = default if group is None else kind(group)
            if isinstance(value, int) and value > _MAX_ID:
                return None
            values[name] = value
        return cls(**values)

    def render(self) -> str:
        written = [
            "" if default is not None and getattr(self, name) == default else str(getattr(self, name))
            for name, _pattern, _kind, default in self._parts()
        ]
        return ":".join([self.PREFIX, *written]) if written else f"{self.PREFIX}:"


Number = Annotated[int, _NUMBER]
Slug = Annotated[str, _SLUG]


@dataclass(frozen=True)
class Rate(Button):
    PREFIX: ClassVar[str] = "r"
    event_id: Number
    score: Annotated[int, "[1-5]"]


@dataclass(frozen=True)
class Choose(Button):
    PREFIX: ClassVar[str] = "c"
    question_id: Number
    index: Annotated[int, "[0-9]"]


@dataclass(frozen=True)
class Alternative(Button):
    """Entry ``index`` of those offered under a question's answer (an alternative, or the other part)."""

    PREFIX: ClassVar[str] = "alt"
    question_id: Number
    index: Annotated[int, "[0-9]"]


@dataclass(frozen=True)
class NoneOfThese(Button):
    PREFIX: ClassVar[str] = "x"
    question_id: Number


@dataclass(frozen=True)
class Menu(Button):
    PREFIX: ClassVar[str] = "m"
    category: Annotated[str, _SLUG] = ""


@dataclass(frozen=True)
class Topic(Button):
    PREFIX: ClassVar[str] = "t"
    entry_id: Slug


@dataclass(frozen=True)
class More(Button):
    PREFIX: ClassVar[str] = "more"
    event_id: Number


@dataclass(frozen=True)
class SkipComment(Button):
    PREFIX: ClassVar[str] = "k"
    event_id: Number


@dataclass(frozen=True)
class Language(Button):
    PREFIX: ClassVar[str] = "lang"
    code: Annotated[str, "fa|en"]


@dataclass(frozen=True)
class Handoff(Button):
    PREFIX: ClassVar[str] = "h"
    question_id: Annotated[int, _NUMBER] = 0
    """0: no particular question."""


@dataclass(frozen=True)
class Privacy(Button):
    PREFIX: ClassVar[str] = "pv"


@dataclass(frozen=True)
class StaffConfirm(Button):
    PREFIX: ClassVar[str] = "sc"
    task: Annotated[str, _TASK]
    draft: Number
    """The draft previewed: a press on an older preview is stale."""


@dataclass(frozen=True)
class StaffCancel(Button):
    PREFIX: ClassVar[str] = "sx"
    task: Annotated[str, _TASK]
    draft: Number


@dataclass(frozen=True)
class AddPhrasing(Button):
    PREFIX: ClassVar[str] = "ua"
    question_id: Number
    entry_id: Slug


@dataclass(frozen=True)
class AcceptSuggestion(Button):
    PREFIX: ClassVar[str] = "sa"
    suggestion_id: Number


@dataclass(frozen=True)
class RejectSuggestion(Button):
    PREFIX: ClassVar[str] = "sr"
    suggestion_id: Number


@dataclass(frozen=True)
class Dismiss(Button):
    PREFIX: ClassVar[str] = "ud"
    question_id: Number


@dataclass(frozen=True)
class ImportApply(Button):
    PREFIX: ClassVar[str] = "wa"
    token: Annotated[str, "[0-9a-f]{16}"]


@dataclass(frozen=True)
class ImportDrop(Button):
    PREFIX: ClassVar[str] = "wx"
    token: Annotated[str, "[0-9a-f]{16}"]


@dataclass(frozen=True)
class EditPick(Button):
    PREFIX: ClassVar[str] = "ep"
    entry_id: Slug


@dataclass(frozen=True)
class Review(Button):
    PREFIX: ClassVar[str] = "rv"
    entry_id: Slug
    mark: Annotated[str, "v|n"]
    """``v``: verified today; ``n``: needs review."""


@dataclass(frozen=True)
class RemoveStaff(Button):
    PREFIX: ClassVar[str] = "sm"
    member_id: Number


CallbackData = (
    Rate
    | Choose
    | Alternative
    | NoneOfThese
    | Menu
    | Topic
    | More
    | SkipComment
    | Language
    | Handoff
    | Privacy
    | StaffConfirm
    | StaffCancel
    | AddPhrasing
    | AcceptSuggestion
    | RejectSuggestion
    | Dismiss
    | ImportApply
    | ImportDrop
    | EditPick
    | Review
    | RemoveStaff
)
#: Every form, each with its compiled pattern.
FORMS: tuple[tuple[re.Pattern[str], type[Button]], ...] = tuple(
    (form.pattern(), form) for form in get_args(CallbackData)
)
#: Each form by its prefix: every pattern begins with its prefix and ``:`` (no prefix holds one),
#: so the text before the first ``:`` names the only form that can match (one pattern tried, not
#: all of them, for each button written and each press, once per handler that checks it).
_BY_PREFIX: dict[str, tuple[re.Pattern[str], type[Button]]] = {form.PREFIX: (p, form) for p, form in FORMS}
if len(_BY_PREFIX) != len(FORMS) or any(":" in prefix for prefix in _BY_PREFIX):
    raise TypeError("every button form needs a prefix of its own, without a colon")


def encode(data: Button) -> str:
    """The button string; ``ValueError`` if it would not parse back or exceeds 64 bytes."""
    if not isinstance(data, Button):
        raise TypeError(f"not callback data: {data!r}")
    text = data.render()
    if len(text.encode()) > MAX_BYTES or parse(text) != data:
        raise ValueError(f"cannot encode {data!r} as callback data")
    return text


_NO_FORM: tuple[re.Pattern[str], None] = (re.compile(""), None)


#: How many button texts :func:`parse` remembers: each button is parsed when written (the check of
#: :func:`encode`), again when its keyboard is marked (a rating) and when pressed, by each handler
#: whose pattern looks at it. At most about 1 MB (64-byte texts and their values, immutable).
_REMEMBERED = 4096


def parse(data: object) -> CallbackData | None:
    """The value a button carries, or ``None`` for anything not built by :func:`encode`."""
    return _parsed(data) if isinstance(data, str) else None


@lru_cache(maxsize=_REMEMBERED)
def _parsed(data: str) -> CallbackData | None:
    if not data or len(data) > MAX_BYTES:
        return None
    try:
        if len(data.encode()) > MAX_BYTES:
            return None
    except UnicodeEncodeError:  # a lone surrogate: not text any button was built from
        return None
    pattern, form = _BY_PREFIX.get(data.partition(":")[0], _NO_FORM)
    if form is None or (found := pattern.fullmatch(data)) is None:
        return None
    return form.build(found.groups())  # type: ignore[return-value]


def matches(kind: type[Button]) -> Callable[[object], bool]:
    """A ``CallbackQueryHandler`` pattern accepting data that parses as ``kind``."""

    def check(data: object) -> bool:
        # another form's prefix is told at once, not parsed whole first
        return (
            isinstance(data, str) and data.partition(":")[0] == kind.PREFIX and isinstance(parse(data), kind)
        )

    return check

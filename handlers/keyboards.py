"""Inline keyboards: every button's data comes from :mod:`bot.messenger.callback_data`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.knowledge.model import Entry, KnowledgeBase
from bot.locale import LANGUAGES, Catalog, Locales
from bot.messenger.callback_data import (
    AcceptSuggestion,
    AddPhrasing,
    Button,
    CallbackData,
    Choose,
    Dismiss,
    Handoff,
    Language,
    Menu,
    More,
    NoneOfThese,
    Privacy,
    Rate,
    RejectSuggestion,
    Review,
    SkipComment,
    StaffCancel,
    StaffConfirm,
    Topic,
    encode,
    parse,
)
from bot.messenger.lean_bot import KeyboardJson, Markup
from bot.messenger.updates.reading import PRESSED_KEYBOARD
from handlers.context import entry_title

__all__ = [
    "HUMAN_AGENT",
    "answer_keyboard",
    "buttons",
    "categories_keyboard",
    "choices_keyboard",
    "confirm_keyboard",
    "handoff_row",
    "language_keyboard",
    "marked_rating",
    "no_match_keyboard",
    "phrasing_keyboard",
    "pressed_keyboard",
    "review_rows",
    "skip_keyboard",
    "topics_keyboard",
    "with_rating",
    "without",
]

_LOG = logging.getLogger(__name__)
#: The knowledge entry that tells citizens how to reach a person.
HUMAN_AGENT = "human-agent"
SCORES = (5, 4, 3, 2, 1)
MAX_RELATED = 4


#: How many buttons are kept to be used again (a topic's, a rating face's when its row is marked):
#: PTB's button is immutable, and making one costs as much as checking its data.
_REMEMBERED_BUTTONS = 2048


def _button(label: str, data: Button) -> InlineKeyboardButton | None:
    text = _encoded(data)
    return None if text is None else _made(label, text)


def _encoded(data: Button) -> str | None:
    """A button's data as text, ``None`` (logged) when it does not fit."""
    try:
        return encode(data)
    except ValueError:
        _LOG.warning("no button for %r: its data does not fit in 64 bytes", data)
        return None


def _json_rows(*rows: Sequence[tuple[str, Button]]) -> KeyboardJson:
    """What ``markup_json(_rows(...))`` makes of the same labels and data (a button whose data does
    not fit left out, an empty row too), without PTB's button objects."""
    kept = [
        [
            {"text": label, "callback_data": text}
            for label, data in row
            if (text := _encoded(data)) is not None
        ]
        for row in rows
    ]
    return {"inline_keyboard": [row for row in kept if row]}


@lru_cache(maxsize=_REMEMBERED_BUTTONS)
def _made(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def pressed_keyboard(message: Message) -> InlineKeyboardMarkup | None:
    """The keyboard of a pressed message: the one PTB parsed, else the one kept as JSON
    (``bot/messenger/updates/reading.py``), its buttons of text and data those this process
    made (``_made``), any other button parsed by PTB."""
    if message.reply_markup is not None:
        return message.reply_markup
    kept = message.api_kwargs.get(PRESSED_KEYBOARD)
    if not isinstance(kept, dict):
        return None
    rows = kept.get("inline_keyboard")
    if set(kept) != {"inline_keyboard"} or not isinstance(rows, list):
        return InlineKeyboardMarkup.de_json(kept, message.get_bot())
    return InlineKeyboardMarkup(
        [[_read_button(button, message) for button in row] for row in rows if isinstance(row, list)]
    )


def _read_button(button: object, message: Message) -> InlineKeyboardButton:
    if (
        isinstance(button, dict)
        and button.keys() == {"text", "callback_data"}
        and isinstance(button["text"], str)
        and isinstance(button["callback_data"], str)
    ):
        return _made(button["text"], button["callback_data"])
    return InlineKeyboardButton.de_json(button, message.get_bot())  # type: ignore[arg-type]


def _rows(*rows: Sequence[InlineKeyboardButton | None]) -> InlineKeyboardMarkup:
    kept = [[b for b in row if b is not None] for row in rows]
    return InlineKeyboardMarkup([row for row in kept if row])


def rating_row(
    event_id: int, catalog: Catalog, chosen: int | None = None
) -> list[InlineKeyboardButton | None]:
    """Five buttons, very satisfied to very dissatisfied; ``chosen`` marked once rated (another
    press changes the rating)."""
    return [_button(label, Rate(event_id, score)) for score, label in _rating_labels(catalog, chosen)]


def _rating_labels(catalog: Catalog, chosen: int | None = None) -> list[tuple[int, str]]:
    """Each score of the rating row with its face (``chosen`` marked)."""
    return [
        (score, catalog.text("rating.chosen", label=label) if score == chosen else label)
        for score in SCORES
        for label in [catalog.text(f"rating.label_{score}")]
    ]


def with_rating(
    markup: InlineKeyboardMarkup | None, event_id: int, score: int, catalog: Catalog
) -> InlineKeyboardMarkup:
    """``markup`` with its rating row showing ``score`` as chosen (the row added if it was gone)."""
    rows = [
        list(row)
        for row in (markup.inline_keyboard if markup else ())
        if not any(isinstance(parse(b.callback_data), Rate) for b in row)
    ]
    return _rows(*rows, rating_row(event_id, catalog, chosen=score))


def marked_rating(message: Message, event_id: int, score: int, catalog: Catalog) -> Markup:
    """The pressed ``message``'s keyboard with its rating row showing ``score`` as chosen, as
    :func:`with_rating` makes it; as JSON when the keyboard was kept as the Bot API sent it and
    every button is of text and data (every answer's): no button object is made for it."""
    plain = _plain_rows(message)
    if plain is None:
        return with_rating(pressed_keyboard(message), event_id, score, catalog)
    kept = [
        [{"text": button["text"], "callback_data": button["callback_data"]} for button in row]
        for row in plain
        if row and not any(isinstance(parse(button["callback_data"]), Rate) for button in row)
    ]
    marked = _json_rows([(label, Rate(event_id, chosen)) for chosen, label in _rating_labels(catalog, score)])
    return {"inline_keyboard": kept + marked["inline_keyboard"]}


def _plain_rows(message: Message) -> list[list[dict[str, str]]] | None:
    """The rows of a pressed message's keyboard kept as JSON (``PRESSED_KEYBOARD``), when every
    button is only text and callback data (:func:`pressed_keyboard` would make each with
    ``_made``); ``None`` otherwise (parsed by PTB, another shape, another kind of button)."""
    kept = message.api_kwargs.get(PRESSED_KEYBOARD)
    if message.reply_markup is not None or not isinstance(kept, dict) or set(kept) != {"inline_keyboard"}:
        return None
    rows = kept["inline_keyboard"]
    if not isinstance(rows, list):
        return None
    plain = [row for row in rows if isinstance(row, list)]  # as pressed_keyboard: others skipped
    for row in plain:
        for button in row:
            if not (
                isinstance(button, dict)
                and button.keys() == {"text", "callback_data"}
                and isinstance(button["text"], str)
                and isinstance(button["callback_data"], str)
            ):
                return None
    return plain


def answer_keyboard(
    entry: Entry,
    knowledge: KnowledgeBase,
    event_id: int | None,
    catalog: Catalog,
    *,
    more: bool,
    handoff: bool = False,
    offered: Sequence[tuple[Button, Entry]] = (),
) -> KeyboardJson:
    """ "More details" when the answer is longer, "talk to a person" on the ``human-agent``
    answer when handoff is set up, related topics, then one row of five ratings.

    Without an answer event (the store was unavailable) there is nothing to rate or expand:
    only the related topics and the person. ``offered``: the alternatives (or the other part of
    a two-part question) first, each a button with its title. Made as the JSON it is sent as,
    without PTB's button objects (a new answer's rating buttons are new every time)."""
    return _json_rows(
        *_answer_rows(entry, knowledge, event_id, catalog, more=more, handoff=handoff, offered=offered)
    )


def _answer_rows(
    entry: Entry,
    knowledge: KnowledgeBase,
    event_id: int | None,
    catalog: Catalog,
    *,
    more: bool,
    handoff: bool,
    offered: Sequence[tuple[Button, Entry]],
) -> list[list[tuple[str, Button]]]:
    """The labels and data of :func:`answer_keyboard`'s rows."""
    shown = {entry.id, *(other.id for _data, other in offered)}
    related = [knowledge.entry(i) for i in entry.follow_ups if i in knowledge and i not in shown][
        :MAX_RELATED
    ]
    topics: list[list[tuple[str, Button]]] = [[(entry_title(r, catalog), Topic(r.id))] for r in related]
    return [
        *([(entry_title(other, catalog), data)] for data, other in offered),
        [(catalog.text("bot.more"), More(event_id))] if more and event_id is not None else [],
        [(catalog.text("bot.talk_to_person"), Handoff(0))] if handoff and entry.id == HUMAN_AGENT else [],
        *topics,
        [(label, Rate(event_id, score)) for score, label in _rating_labels(catalog)]
        if event_id is not None
        else [],
    ]


def choices_keyboard(question_id: int | None, entries: list[Entry], catalog: Catalog) -> InlineKeyboardMarkup:
    """One button per "did you mean" option, then "none of these".

    Without a recorded question (the store was unavailable) the options open their topics and
    the menu takes the place of "none of these"."""
    if question_id is None:
        return _rows(
            *([_button(entry_title(e, catalog), Topic(e.id))] for e in entries),
            [_button(catalog.text("bot.open_menu"), Menu())],
        )
    return _rows(
        *([_button(entry_title(e, catalog), Choose(question_id, i))] for i, e in enumerate(entries)),
        [_button(catalog.text("bot.none_of_these"), NoneOfThese(question_id))],
    )


def categories_keyboard(knowledge: KnowledgeBase, catalog: Catalog) -> InlineKeyboardMarkup:
    """The service menu's first level, and the privacy notice last."""
    return _rows(
        *(
            [_button(c.title_en if catalog.language == "en" and c.title_en else c.title, Menu(c.id))]
            for c in knowledge.categories
        ),
        [_button(catalog.text("privacy.button"), Privacy())],
    )


def topics_keyboard(knowledge: KnowledgeBase, category: str, catalog: Catalog) -> InlineKeyboardMarkup:
    """One category's topics and the way back."""
    return _rows(
        *([_button(entry_title(e, catalog), Topic(e.id))] for e in knowledge.entries_of(category)),
        [_button(catalog.text("bot.back"), Menu())],
    )


def handoff_row(catalog: Catalog, question_id: int = 0) -> list[InlineKeyboardButton | None]:
    """ "Talk to a person": forwards the citizen's recent questions to the staff group."""
    return [_button(catalog.text("bot.talk_to_person"), Handoff(question_id))]


def no_match_keyboard(
    knowledge: KnowledgeBase, catalog: Catalog, *, handoff: bool = False, question_id: int = 0
) -> InlineKeyboardMarkup:
    """How to reach a person (the staff group when there is one, else the contact topic), and the menu."""
    if handoff:
        person = handoff_row(catalog, question_id)
    elif HUMAN_AGENT in knowledge:
        person = [_button(catalog.text("bot.talk_to_person"), Topic(HUMAN_AGENT))]
    else:
        person = []
    return _rows(person, [_button(catalog.text("bot.open_menu"), Menu())])


def confirm_keyboard(task: str, draft: int, catalog: Catalog) -> InlineKeyboardMarkup:
    """Staff: confirm or cancel the previewed edit or broadcast ``draft``."""
    return _rows(
        [
            _button(catalog.text("staff.confirm"), StaffConfirm(task, draft)),
            _button(catalog.text("staff.cancel"), StaffCancel(task, draft)),
        ]
    )


def phrasing_keyboard(
    question_id: int, entries: list[Entry], catalog: Catalog, *, editor: bool = True
) -> InlineKeyboardMarkup:
    """Staff: add an unanswered question as a phrasing of one of the nearest topics (editors only),
    or dismiss it."""
    return _rows(
        *(
            [_button(catalog.text("staff.add_phrasing", title=e.title), AddPhrasing(question_id, e.id))]
            for e in (entries if editor else [])
        ),
        [_button(catalog.text("staff.dismiss"), Dismiss(question_id))],
    )


def suggestion_keyboard(suggestion_id: int, catalog: Catalog) -> InlineKeyboardMarkup:
    """Staff: accept a suggested phrasing (added to its entry) or reject it."""
    return _rows(
        [
            _button(catalog.text("staff.accept_suggestion"), AcceptSuggestion(suggestion_id)),
            _button(catalog.text("staff.reject_suggestion"), RejectSuggestion(suggestion_id)),
        ]
    )


def buttons(pairs: list[tuple[str, CallbackData]]) -> InlineKeyboardMarkup:
    """One button per row, from (label, data) pairs."""
    return _rows(*([_button(label, data)] for label, data in pairs))


def skip_keyboard(event_id: int, catalog: Catalog, *, handoff: bool = False) -> InlineKeyboardMarkup:
    """Skip the comment after a low rating (and talk to a person, when handoff is set up)."""
    return _rows(
        [_button(catalog.text("rating.skip"), SkipComment(event_id))], handoff_row(catalog) if handoff else []
    )


def language_keyboard(locales: Locales) -> InlineKeyboardMarkup:
    return _rows([_button(locales.get(code).text("bot.language_name"), Language(code)) for code in LANGUAGES])


def without(markup: InlineKeyboardMarkup | None, drop: type) -> InlineKeyboardMarkup | None:
    """``markup`` minus the buttons whose data is a ``drop``; ``None`` when nothing is left."""
    if markup is None:
        return None
    rows = [
        [b for b in row if not isinstance(parse(b.callback_data), drop)] for row in markup.inline_keyboard
    ]
    kept = [tuple(row) for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


def review_rows(entries: Sequence[Entry], catalog: Catalog) -> list[list[InlineKeyboardButton]]:
    """Staff: one row per entry, "verified today" and "needs review"."""
    rows = (
        [
            _button(catalog.text("staff.review_verify_button", entry=entry.id), Review(entry.id, "v")),
            _button(catalog.text("staff.review_flag_button", entry=entry.id), Review(entry.id, "n")),
        ]
        for entry in entries
    )
    return [[button for button in row if button is not None] for row in rows]

"""Hostile input through the real handlers: at least 10,000 generated updates, no crash, nothing forged.

Every update goes through ``application.process_update`` of the real Application (handler groups,
flood gate, store, engine) on a recording network layer (:mod:`tests.support.recording_app`). The error
handler must never run; forged, foreign, replayed, oversized or garbage button presses are refused
and change nothing in the store; injection strings are stored verbatim (masking of national codes
and phone numbers aside); edited messages, unknown update types and staff-like commands from
citizens change nothing.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.decision import Outcome
from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.callback_data import Choose, More, NoneOfThese, Rate, SkipComment, encode
from bot.store import mask_personal_data
from handlers.asking.questions import question_text
from tests.support.bot_harness import DID_YOU_MEAN_CANDIDATES, find_question
from tests.support.recording_app import BOT_ID, RecordingApp, recording_app
from tests.support.trials import full_trials, trial_size

pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.slow,  # thousands of generated updates through the real handlers
]

LOST_BIRTH_CERTIFICATE = "شناسنامه‌ام گم شده"
OWNER = 1_001


def hostile(examples: int) -> settings:
    """``examples`` generated cases in a full run (``make trials``), a tenth in CI."""
    return settings(
        max_examples=trial_size(examples, max(20, examples // 10)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


#: Updates processed per test (the module's total must reach 10,000).
PROCESSED: dict[str, int] = {}

_user_ids = itertools.count(2_000_000)
_message_ids = itertools.count(1)
_query_ids = itertools.count(1)

CONTROL_AND_BIDI = st.sampled_from(
    [
        *"\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff",
        "\x00",
        "\x07",
        "\x08",
        "\x1b",
        "\x7f",
        "\r",
        "\n",
        "\t",
        "\u0085",
        "\u2028",
        "\ufffd",
        "\U0010ffff",
    ]
)
INJECTIONS = [
    "'; DROP TABLE questions; --",
    "1' OR '1'='1",
    "کارت ملی' OR 1=1 --",
    '" ; DELETE FROM ratings WHERE "a"="a',
    "Robert'); DROP TABLE ratings;--",
    "1; UPDATE ratings SET score=5",
    "%' UNION SELECT user_hash, chat_id FROM contacts --",
    "\\'; ATTACH DATABASE '/tmp/x.db' AS x; --",
    "<b>bold</b> <script>alert(1)</script> &amp; &lt;",
    "${jndi:ldap://x} {{7*7}} %s%s%n",
    "NULL\x00BYTE",
]
TEXTS = st.one_of(
    st.text(max_size=200),
    st.text(
        alphabet=st.one_of(
            CONTROL_AND_BIDI,
            st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
            st.characters(max_codepoint=0x7F),
        ),
        max_size=200,
    ),
    st.sampled_from(INJECTIONS),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(INJECTIONS), st.text(max_size=40)),
    st.text(min_size=1, max_size=40).map(lambda s: (s * 4096)[:4096]),
)
STAFF_COMMANDS = st.sampled_from(
    [
        "stats",
        "report",
        "reply",
        "broadcast",
        "announce",
        "staff",
        "admin",
        "kb",
        "reload",
        "handoff",
        "handoffs",
        "export",
        "purge",
        "ban",
        "grant",
        "sql",
    ]
)


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Citizen", "language_code": "fa"}


def private(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": "Citizen"}


GROUP = {"id": -4_000_000_777, "type": "group", "title": "Group"}


def message(user_id: int, text: str, *, chat: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat or private(user_id),
        "from": user(user_id),
        "text": text,
        **extra,
    }


def command(user_id: int, name: str, args: str = "", chat: dict[str, Any] | None = None) -> dict[str, Any]:
    text = f"/{name} {args}".rstrip()
    entity = {"type": "bot_command", "offset": 0, "length": len(name) + 1}
    return {"message": message(user_id, text, chat=chat, entities=[entity])}


def press(user_id: int, data: str | None, *, with_message: bool = True) -> dict[str, Any]:
    query: dict[str, Any] = {"id": str(next(_query_ids)), "from": user(user_id), "chat_instance": "7919"}
    if data is None:
        query["game_short_name"] = "game"
    else:
        query["data"] = data
    if with_message:
        query["message"] = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": private(user_id),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Sabtyar"},
            "text": "…",
        }
    else:
        query["inline_message_id"] = "inline-1"
    return {"callback_query": query}


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, engine: AnswerEngine, locales: Locales
) -> Iterator[RecordingApp]:
    with recording_app(tmp_path_factory.mktemp("hostile"), engine, locales) as running:
        yield running
        assert running.errors == [], running.errors[:3]


@pytest.fixture(scope="module")
def owned(app: RecordingApp, engine: AnswerEngine) -> dict[str, int]:
    """An answer shown to OWNER (rated 5) and a "did you mean" question of OWNER's."""
    app.process({"message": message(OWNER, LOST_BIRTH_CERTIFICATE)})
    [[event_id]] = app.rows("SELECT id FROM answer_events WHERE user_hash = ?", app.user_hash(OWNER))
    app.process(press(OWNER, encode(Rate(event_id, 5))))
    app.process(
        {"message": message(OWNER, find_question(engine, Outcome.DID_YOU_MEAN, DID_YOU_MEAN_CANDIDATES))}
    )
    [[question_id, candidates]] = app.rows(
        "SELECT id, json_array_length(candidates) FROM questions WHERE outcome = 'did_you_mean'"
        " AND user_hash = ?",
        app.user_hash(OWNER),
    )
    assert app.rows("SELECT score FROM ratings WHERE answer_event_id = ?", event_id) == [(5,)]
    assert app.errors == []
    return {"event": event_id, "question": question_id, "choices": candidates}


def count(name: str, updates: int = 1) -> None:
    PROCESSED[name] = PROCESSED.get(name, 0) + updates


def refused_texts(locales: Locales) -> set[str]:
    return {locales.get(language).text("bot.refused") for language in ("fa", "en")}


# Texts -----------------------------------------------------------------------------------------


@hostile(550)
@given(texts=st.lists(TEXTS, min_size=1, max_size=3))
def test_any_text_is_answered_and_stored_verbatim(app: RecordingApp, texts: list[str]) -> None:
    for text in texts:
        citizen = next(_user_ids)
        sent = len(app.request.of("sendMessage"))
        update = app.process({"message": message(citizen, text)})
        count("texts")
        assert app.errors == []
        replies = [c for c in app.request.of("sendMessage")[sent:] if c.params["chat_id"] == citizen]
        assert replies, f"no reply to {text!r}"
        asked = question_text(text, "sabtyar_test_bot")
        stored = app.rows("SELECT text FROM questions WHERE update_key = ?", app.key_of(update))
        assert stored == ([(mask_personal_data(asked),)] if asked else [])


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_stored_byte_for_byte(app: RecordingApp, text: str) -> None:
    tables = app.tables()
    update = app.process({"message": message(next(_user_ids), text)})
    count("injections")
    [[stored]] = app.rows("SELECT text FROM questions WHERE update_key = ?", app.key_of(update))
    assert stored == " ".join(text.split()) and app.tables() == tables
    assert app.rows("PRAGMA integrity_check") == [("ok",)]


# Buttons ---------------------------------------------------------------------------------------


def forged_presses(owned: dict[str, int]) -> st.SearchStrategy[tuple[int, str | None, bool]]:
    """``(presser, data, with_message)`` that must all be refused."""
    event, question, choices = owned["event"], owned["question"], owned["choices"]
    stranger = st.integers(min_value=3_000_000, max_value=3_000_100)
    anyone = st.one_of(st.just(OWNER), stranger)
    # ids are generated keys, anywhere in 1 .. 2**63 - 1: any other one is unknown
    unknown_id = st.integers(min_value=1, max_value=2**63 - 1).filter(lambda i: i not in (event, question))
    foreign = st.one_of(
        st.integers(1, 5).map(lambda s: encode(Rate(event, s))),
        st.integers(0, 9).map(lambda i: encode(Choose(question, i))),
        st.just(encode(NoneOfThese(question))),
        st.just(encode(More(event))),
        st.just(encode(SkipComment(event))),
    )
    forged = st.one_of(
        st.builds(lambda i, s: encode(Rate(i, s)), unknown_id, st.integers(1, 5)),
        st.builds(lambda i, n: encode(Choose(i, n)), unknown_id, st.integers(0, 9)),
        unknown_id.map(lambda i: encode(NoneOfThese(i))),
        unknown_id.map(lambda i: encode(More(i))),
        st.sampled_from([f"r:{event}:0", f"r:{event}:6", f"r:{event}:55", f"r:-{event}:5", f"r:0{event}:5"]),
        st.sampled_from(
            [f"r:{event}:5\n", f" r:{event}:5", f"r:{event}:5;", f"r:{event}:٥", f"r:{event}:５"]
        ),
        st.sampled_from(["r:0:1", "r:9223372036854775808:1", "r:99999999999999999999:1", "c::0", "x:"]),
        st.sampled_from(["t:no-such-topic", "t:../../etc", "m:no-such-category", "lang:de", "lang:", "t:"]),
        st.sampled_from(["'; DROP TABLE ratings; --", "r:1:1' OR '1'='1", "\u202er:1:5", "k:0"]),
        st.text(max_size=64),
        st.text(min_size=65, max_size=300),
        st.binary(min_size=1, max_size=64).map(lambda b: b.decode("latin-1")),
        st.none(),
    )
    own_stale = st.one_of(
        st.integers(choices, 9).map(lambda i: encode(Choose(question, i))),
        st.just(encode(SkipComment(event))),
    )
    return st.one_of(
        st.tuples(stranger, foreign, st.booleans()),
        st.tuples(anyone, forged, st.booleans()),
        st.tuples(st.just(OWNER), own_stale, st.booleans()),
    )


def test_forged_presses_are_refused_and_change_nothing(
    app: RecordingApp, owned: dict[str, int], locales: Locales
) -> None:
    refusals = refused_texts(locales)
    before = app.snapshot()

    @hostile(1_500)
    @given(presses=st.lists(forged_presses(owned), min_size=3, max_size=4))
    def check(presses: list[tuple[int, str | None, bool]]) -> None:
        for presser, data, with_message in presses:
            if data is not None and data.strip() in ("m:", ""):
                continue  # the menu itself: any citizen may open it
            calls = len(app.request.calls)
            app.process(press(presser, data, with_message=with_message))
            count("forged")
            made = app.request.calls[calls:]
            assert [c.method for c in made] == ["answerCallbackQuery"], (data, made)
            assert made[0].params.get("text") in refusals and made[0].params.get("show_alert") is True
            assert app.errors == []
        assert app.snapshot() == before

    check()


def test_replayed_updates_are_counted_once(app: RecordingApp, engine: AnswerEngine) -> None:
    """A citizen's real actions, each delivered twice with the same update_id: the figures stay."""
    direct = find_question(engine, Outcome.ANSWER, (LOST_BIRTH_CERTIFICATE, *DID_YOU_MEAN_CANDIDATES))
    offered = find_question(engine, Outcome.DID_YOU_MEAN, DID_YOU_MEAN_CANDIDATES)
    figures = (
        "SELECT (SELECT count(*) FROM questions), (SELECT count(*) FROM answer_events),"
        " (SELECT count(*) FROM resolutions), (SELECT count(*) FROM ratings),"
        " (SELECT coalesce(sum(score), 0) FROM ratings)"
    )

    @hostile(350)
    @given(
        score=st.integers(1, 5),
        index=st.integers(0, 1),
        order=st.permutations(range(3)),
        citizen=st.integers(5_000_000, 9_000_000),  # keeps the example space large
    )
    def check(score: int, index: int, order: list[int], citizen: int) -> None:
        citizen += next(_user_ids) * 10_000_000  # never an earlier example's citizen
        asked = app.process({"message": message(citizen, direct)})
        [[event_id]] = app.rows("SELECT id FROM answer_events WHERE update_key = ?", app.key_of(asked))
        doubt = app.process({"message": message(citizen, offered)})
        [[question_id]] = app.rows("SELECT id FROM questions WHERE update_key = ?", app.key_of(doubt))
        actions = [
            press(citizen, encode(Rate(event_id, score))),
            press(citizen, encode(Choose(question_id, index))),
            press(citizen, "t:national-code"),
        ]
        done = [app.process(action).to_dict() for action in actions]
        count("replayed", 5)
        after = app.rows(figures)
        for number in order:  # replay: same update_id, same payload, any order
            app.process(done[number])
            count("replayed")
        for update in (asked, doubt):
            app.process(update.to_dict())
            count("replayed")
        assert app.rows(figures) == after
        assert app.rows("SELECT score FROM ratings WHERE answer_event_id = ?", event_id) == [(score,)]
        assert app.errors == []

    check()


# Other updates ---------------------------------------------------------------------------------


def odd_updates() -> st.SearchStrategy[dict[str, Any]]:
    """Edited messages, update kinds the bot never asked for, unknown kinds, odd messages."""
    citizen = st.integers(min_value=4_000_000, max_value=4_000_050)
    now = int(time.time())
    return st.one_of(
        st.builds(lambda u, t: {"edited_message": {**message(u, t), "edit_date": now}}, citizen, TEXTS),
        st.builds(
            lambda u, t: {"edited_message": {**message(u, t, chat=GROUP), "edit_date": now}}, citizen, TEXTS
        ),
        st.builds(
            lambda t: {
                "channel_post": {
                    "message_id": 1,
                    "date": now,
                    "chat": {"id": -100, "type": "channel"},
                    "text": t,
                }
            },
            TEXTS,
        ),
        st.builds(
            lambda t: {
                "edited_channel_post": {
                    "message_id": 1,
                    "date": now,
                    "edit_date": now,
                    "chat": {"id": -100, "type": "channel"},
                    "text": t,
                }
            },
            TEXTS,
        ),
        st.builds(
            lambda u, q: {"inline_query": {"id": "1", "from": user(u), "query": q, "offset": ""}},
            citizen,
            TEXTS,
        ),
        st.builds(
            lambda u: {"chosen_inline_result": {"result_id": "1", "from": user(u), "query": "q"}}, citizen
        ),
        st.builds(
            lambda u: {
                "poll": {
                    "id": "1",
                    "question": "?",
                    "options": [],
                    "total_voter_count": 0,
                    "is_closed": False,
                    "is_anonymous": True,
                    "type": "regular",
                    "allows_multiple_answers": False,
                    "allows_revoting": False,
                    "members_only": False,
                }
            },
            citizen,
        ),
        st.builds(
            lambda u: {
                "message_reaction": {
                    "chat": private(u),
                    "message_id": 1,
                    "date": now,
                    "user": user(u),
                    "old_reaction": [],
                    "new_reaction": [],
                }
            },
            citizen,
        ),
        st.builds(
            lambda u: {"chat_join_request": {"chat": GROUP, "from": user(u), "user_chat_id": u, "date": now}},
            citizen,
        ),
        st.builds(
            lambda u, s: {
                "my_chat_member": {
                    "chat": private(u),
                    "from": user(u),
                    "date": now,
                    "old_chat_member": {"status": "member", "user": user(BOT_ID)},
                    "new_chat_member": {
                        "status": s,
                        "user": user(BOT_ID),
                        **({"until_date": 0} if s == "kicked" else {}),
                    },
                }
            },
            citizen,
            st.sampled_from(["kicked", "left", "member"]),
        ),
        st.builds(
            lambda k, v: {k: v},
            st.sampled_from(["future_update", "guest_message_v99", "x"]),
            st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
        ),
        st.just({}),
        st.builds(lambda u, t: {"message": message(u, t, chat=GROUP)}, citizen, TEXTS),
        st.builds(
            lambda u: {"message": {**message(u, ""), "text": None, "dice": {"emoji": "🎲", "value": 3}}},
            citizen,
        ),
        st.builds(
            lambda u: {
                "message": {**message(u, "", chat=GROUP), "text": None, "new_chat_members": [user(u)]}
            },
            citizen,
        ),
        st.builds(
            lambda u, t: {"message": {**message(u, t), "from": {**user(u), "is_bot": True}}}, citizen, TEXTS
        ),
    )


@hostile(800)
@given(updates=st.lists(odd_updates(), min_size=2, max_size=3))
def test_edits_and_unknown_updates_change_nothing(app: RecordingApp, updates: list[dict[str, Any]]) -> None:
    before = app.snapshot()
    for payload in updates:
        calls = len(app.request.calls)
        app.process(payload)
        count("odd")
        assert app.errors == []
        if any(kind in payload for kind in ("edited_message", "edited_channel_post", "channel_post")):
            assert app.request.calls[calls:] == []  # edits are not re-answered
    bot_messages = [p for p in updates if "message" in p and p["message"]["from"]["is_bot"]]
    if not bot_messages:
        assert app.snapshot() == before


@hostile(600)
@given(
    name=STAFF_COMMANDS,
    args=st.one_of(st.just(""), TEXTS.map(lambda s: s[:200])),
    in_group=st.booleans(),
    suffix=st.sampled_from(["", "@sabtyar_test_bot", "@other_bot"]),
)
def test_staff_commands_from_citizens_change_nothing(
    app: RecordingApp, name: str, args: str, in_group: bool, suffix: str
) -> None:
    """A citizen's ``/stats`` etc. is at most answered as a citizen's question (issue 4's design):
    nothing but that citizen's own question and answer-shown rows may appear."""
    citizen_rows = ("questions", "answer_events")
    before = {k: v for k, v in app.snapshot().items() if k not in citizen_rows}
    last = {t: app.rows(f"SELECT coalesce(max(id), 0) FROM {t}")[0][0] for t in citizen_rows}
    citizen = next(_user_ids)
    calls = len(app.request.calls)
    app.process(command(citizen, name + suffix, args, chat=GROUP if in_group else None))
    count("staff")
    assert app.errors == []
    assert {k: v for k, v in app.snapshot().items() if k not in citizen_rows} == before
    for table in citizen_rows:
        added = app.rows(f"SELECT DISTINCT user_hash FROM {table} WHERE id > ?", last[table])
        assert added in ([], [(app.user_hash(citizen),)])
    made = app.request.calls[calls:]
    assert all(c.method == "sendMessage" for c in made)
    assert all(c.params["chat_id"] == (GROUP["id"] if in_group else citizen) for c in made)


def test_at_least_ten_thousand_updates(app: RecordingApp) -> None:
    """Runs last in the module: the whole file pushed at least 10,000 updates through the handlers
    (in a full run; CI runs a tenth of every property)."""
    total = sum(PROCESSED.values())
    if not full_trials():
        pytest.skip(f"a sample run ({total} updates); the 10,000 are `make trials`")
    if not set(PROCESSED) >= {"texts", "forged", "replayed", "odd", "staff"}:
        pytest.skip(f"only part of the module ran: {PROCESSED}")
    print(f"hostile updates processed: {total} {PROCESSED}")
    assert total >= 10_000, PROCESSED

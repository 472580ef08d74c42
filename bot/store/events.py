"""A citizen's events as plain records: a question asked, an answer shown, a choice, a correction,
a rating, a comment. Each is checked and masked when made, written by its own SQL (a function of
a ``sqlite3`` connection, inside the caller's transaction) and turned into a JSON object and back,
so a write the database cannot take now waits in the spool file (``durable/spool.py``) or the
backlog and is written later, the same way, at most once.

Keys that never repeat: an event of an update carries the update's generated key (the inbox's,
``durable/inbox.py``); a question's row id and the id of the answer its update showed *are* that
key, known before anything is written, so a reply carries its buttons at once and a replay of
the update (after a crash) writes nothing twice. ``update_key`` holds ``key_text(key)``, as the
deliveries do. Rows written before the keys existed (ids from SQLite, ``update_key`` a hash of
platform and update id) keep theirs, so the buttons of old messages still work; an event with no
key but an update id (the terminal chat, tests) is written that older way.

Later wins: a rating, a comment or a choice replaces an earlier one only if it was made later,
so a deferred press written after a newer one never undoes it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, ClassVar, Protocol, Self

from bot.store.durable.ids import key_text
from bot.store.errors import Refused, check_user, row_id, utc_text
from bot.store.privacy import mask_personal_data, update_key
from bot.store.records import VIA, QuestionEvent

__all__ = [
    "EVENT_OPS",
    "Asked",
    "Chosen",
    "Commented",
    "Corrected",
    "Event",
    "Rated",
    "Shown",
    "apply_event_records",
    "apply_events",
    "event_from_record",
]

_LOG = logging.getLogger("sabtyar.store")
_OUTCOMES = ("answer", "did_you_mean", "no_match")
Record = dict[str, Any]


def _keys(platform: str, key: int | None, update_id: int | None) -> tuple[int | None, str | None]:
    """The row id and ``update_key`` of an event: the generated key, else the older hash."""
    if key is not None:
        return row_id(key), key_text(key)
    return None, None if update_id is None else update_key(platform, update_id)


def _insert_keyed(
    db: sqlite3.Connection, table: str, sql: str, values: tuple[object, ...], row: int, key: str
) -> int:
    """Insert a row whose id ``row`` and ``update_key`` ``key`` are given, once (a replay returns
    the id); an id another row holds (never, in practice) is an ``IntegrityError``. The row
    is read back only when the insert did nothing (a replay, or that other row)."""
    if db.execute(sql, values).rowcount == 1:
        return row
    found = db.execute(f"SELECT update_key FROM {table} WHERE id = ?", (row,)).fetchone()
    if found is None or found[0] != key:
        raise sqlite3.IntegrityError(f"{table} id {row} belongs to another row")
    return row


class Event(Protocol):
    """What every event is: a JSON record (``OP`` names it) and its SQL."""

    OP: ClassVar[str]

    def apply(self, db: sqlite3.Connection) -> Any: ...

    def record(self) -> Record: ...

    @property
    def label(self) -> str: ...


class _Recordable:
    """The JSON record of a dataclass event, and back."""

    OP: ClassVar[str]

    def record(self) -> Record:
        return {"op": self.OP, **asdict(self)}  # type: ignore[call-overload]

    @classmethod
    def from_record(cls, record: Record) -> Self:
        names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
        return cls(**{name: record[name] for name in names})


@dataclass(frozen=True)
class Asked(_Recordable):
    """A free-text question and the engine's decision, masked."""

    OP: ClassVar[str] = "question"
    id: int | None
    update_key: str | None
    asked_at: str
    platform: str
    user_hash: str
    language: str
    text: str
    match_form: str
    outcome: str
    answer_id: str | None
    score: float
    candidates: str
    response_ms: int
    alternatives: str | None
    parts: str | None

    @classmethod
    def of(cls, event: QuestionEvent) -> Asked:
        check_user(event.user_hash, event.platform)
        if event.outcome not in _OUTCOMES:
            raise ValueError(f"unknown outcome {event.outcome!r}")
        question_id, key = _keys(event.platform, event.key, event.update_id)
        return cls(
            id=question_id,
            update_key=key,
            asked_at=utc_text(event.asked_at),
            platform=event.platform,
            user_hash=event.user_hash,
            language=event.language,
            text=mask_personal_data(event.text),
            match_form=mask_personal_data(event.match_form),
            outcome=event.outcome,
            answer_id=event.answer_id,
            score=float(event.score),
            candidates=json.dumps(list(event.candidates), ensure_ascii=False),
            response_ms=max(0, int(event.response_ms)),
            alternatives=json.dumps(list(event.alternatives), ensure_ascii=False)
            if event.alternatives
            else None,
            parts=json.dumps(list(event.parts), ensure_ascii=False) if event.parts else None,
        )

    @property
    def label(self) -> str:
        return f"question {self.id or self.update_key}"

    def apply(self, db: sqlite3.Connection) -> int:
        """The question's id (a replay returns the row already written)."""
        columns = (
            "id, asked_at, platform, user_hash, language, text, match_form, outcome, answer_id, score,"
            " candidates, response_ms, update_key, alternatives, parts"
        )
        values = (
            self.id,
            self.asked_at,
            self.platform,
            self.user_hash,
            self.language,
            self.text,
            self.match_form,
            self.outcome,
            self.answer_id,
            self.score,
            self.candidates,
            self.response_ms,
            self.update_key,
            self.alternatives,
            self.parts,
        )
        sql = f"INSERT INTO questions ({columns}) VALUES ({', '.join('?' * len(values))})"
        if self.id is not None and self.update_key is not None:
            return _insert_keyed(
                db, "questions", f"{sql} ON CONFLICT DO NOTHING", values, self.id, self.update_key
            )
        if self.update_key and (found := db.execute(_QUESTION_BY_KEY, (self.update_key,)).fetchone()):
            return int(found[0])
        return int(db.execute(sql, values).lastrowid or 0)


_QUESTION_BY_KEY = "SELECT id FROM questions WHERE update_key = ?"
_EVENT_BY_KEY = "SELECT id FROM answer_events WHERE update_key = ?"


@dataclass(frozen=True)
class Shown(_Recordable):
    """An answer shown: directly, from a choice, the menu, an alternative or the other part."""

    OP: ClassVar[str] = "shown"
    id: int | None
    update_key: str | None
    question_id: int | None
    entry_id: str
    user_hash: str
    platform: str
    via: str
    shown_at: str

    @classmethod
    def of(
        cls,
        *,
        user_hash: str,
        platform: str,
        entry_id: str,
        via: str,
        question_id: int | None = None,
        key: int | None = None,
        update_id: int | None = None,
        at: datetime | None = None,
    ) -> Shown:
        check_user(user_hash, platform)
        if via not in VIA:
            raise ValueError(f"unknown way of showing an answer {via!r}")
        event_id, text_key = _keys(platform, key, update_id)
        return cls(event_id, text_key, question_id, entry_id, user_hash, platform, via, utc_text(at))

    @property
    def label(self) -> str:
        return f"answer shown {self.id or self.update_key}"

    def apply(self, db: sqlite3.Connection) -> int:
        """The answer event's id (its rating buttons carry it); once per update."""
        values = (
            self.id,
            self.question_id,
            self.entry_id,
            self.user_hash,
            self.platform,
            self.via,
            self.shown_at,
            self.update_key,
        )
        sql = (
            "INSERT INTO answer_events (id, question_id, entry_id, user_hash, platform, via, shown_at,"
            " update_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )
        if self.id is not None and self.update_key is not None:
            return _insert_keyed(
                db, "answer_events", f"{sql} ON CONFLICT DO NOTHING", values, self.id, self.update_key
            )
        if self.update_key and (found := db.execute(_EVENT_BY_KEY, (self.update_key,)).fetchone()):
            return int(found[0])
        return int(db.execute(sql, values).lastrowid or 0)


def _suggest(db: sqlite3.Connection, question_id: int, entry_id: str, at: str) -> None:
    """The question as a suggested phrasing of the entry the citizen chose (once; staff decide)."""
    db.execute(
        "INSERT OR IGNORE INTO suggestions (question_id, entry_id, created_at) VALUES (?, ?, ?)",
        (question_id, entry_id, at),
    )


@dataclass(frozen=True)
class Chosen(_Recordable):
    """A "did you mean" question resolved by the citizen's choice, and the answer shown for it."""

    OP: ClassVar[str] = "choice"
    question_id: int
    entry_id: str
    shown: Record

    @classmethod
    def of(cls, question_id: int, entry_id: str, shown: Shown) -> Chosen:
        return cls(row_id(question_id), entry_id, shown.record())

    @property
    def label(self) -> str:
        return f"choice for question {self.question_id}"

    def apply(self, db: sqlite3.Connection) -> int:
        """The answer event's id; ``Refused`` unless the question is the presser's own and
        ``entry_id`` was one of its choices. A later choice replaces the resolution."""
        shown = Shown.from_record(self.shown)
        row = db.execute(
            "SELECT user_hash, outcome, candidates FROM questions WHERE id = ?", (self.question_id,)
        ).fetchone()
        owner, outcome, candidates = row or (None, None, "[]")
        if (
            owner != shown.user_hash
            or outcome != "did_you_mean"
            or self.entry_id not in json.loads(candidates)
        ):
            raise Refused("not a choice offered to this citizen")
        db.execute(
            "INSERT INTO resolutions (question_id, entry_id, resolved_at) VALUES (?, ?, ?)"
            " ON CONFLICT (question_id) DO UPDATE SET entry_id = excluded.entry_id,"
            " resolved_at = excluded.resolved_at WHERE excluded.resolved_at >= resolutions.resolved_at",
            (self.question_id, self.entry_id, shown.shown_at),
        )
        _suggest(db, self.question_id, self.entry_id, shown.shown_at)
        return shown.apply(db)


@dataclass(frozen=True)
class Corrected(_Recordable):
    """The citizen pressed an entry offered under an answer: an alternative (a correction of the
    engine's first entry, also a suggested phrasing) or the other part of a two-part question."""

    OP: ClassVar[str] = "correction"
    question_id: int
    entry_id: str
    shown: Record

    @classmethod
    def of(cls, question_id: int, entry_id: str, shown: Shown) -> Corrected:
        return cls(row_id(question_id), entry_id, shown.record())

    @property
    def label(self) -> str:
        return f"correction of question {self.question_id}"

    def apply(self, db: sqlite3.Connection) -> int:
        """The answer event's id; ``Refused`` unless the question is the presser's own, was
        answered, and offered ``entry_id`` besides its answer."""
        shown = Shown.from_record(self.shown)
        row = db.execute(
            "SELECT user_hash, answer_id, alternatives, parts FROM questions WHERE id = ?",
            (self.question_id,),
        ).fetchone()
        owner, answer_id, alternatives, parts = row or (None, None, None, None)
        offered = json.loads(alternatives or "[]")
        if owner != shown.user_hash or self.entry_id not in offered or self.entry_id == answer_id:
            raise Refused("not an entry offered under this citizen's answer")
        kind = "part" if parts and self.entry_id in json.loads(parts) else "alternative"
        db.execute(
            "INSERT OR IGNORE INTO corrections (question_id, from_entry, to_entry, kind, at)"
            " VALUES (?, ?, ?, ?, ?)",
            (self.question_id, answer_id, self.entry_id, kind, shown.shown_at),
        )
        if kind == "alternative":
            _suggest(db, self.question_id, self.entry_id, shown.shown_at)
        return Shown.from_record({**self.shown, "via": kind}).apply(db)


@dataclass(frozen=True)
class Rated(_Recordable):
    """A rating (1..5) of an answer shown to the citizen; a later press changes it."""

    OP: ClassVar[str] = "rating"
    answer_event_id: int
    user_hash: str
    score: int
    at: str

    @classmethod
    def of(cls, answer_event_id: int, user_hash: str, score: int, at: datetime | None = None) -> Rated:
        check_user(user_hash)
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise Refused(f"score out of range: {score!r}")
        return cls(row_id(answer_event_id), user_hash, score, utc_text(at))

    @property
    def label(self) -> str:
        return f"rating of answer {self.answer_event_id}"

    def apply(self, db: sqlite3.Connection) -> int:
        """The rating's id; ``Refused`` unless the answer was shown to this citizen."""
        owner = db.execute(
            "SELECT user_hash FROM answer_events WHERE id = ?", (self.answer_event_id,)
        ).fetchone()
        if owner is None or owner[0] != self.user_hash:
            raise Refused("not an answer shown to this citizen")
        written = db.execute(
            "INSERT INTO ratings (answer_event_id, user_hash, score, rated_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (answer_event_id, user_hash)"
            " DO UPDATE SET score = excluded.score, updated_at = excluded.updated_at"
            " WHERE excluded.updated_at >= ratings.updated_at RETURNING id",
            (self.answer_event_id, self.user_hash, self.score, self.at, self.at),
        ).fetchall()
        if written:  # inserted or changed; else a later rating stands, read back
            return int(written[0][0])
        [(rating_id,)] = db.execute(
            "SELECT id FROM ratings WHERE answer_event_id = ? AND user_hash = ?",
            (self.answer_event_id, self.user_hash),
        ).fetchall()
        return int(rating_id)


@dataclass(frozen=True)
class Commented(_Recordable):
    """The (masked) comment after a low rating."""

    OP: ClassVar[str] = "comment"
    answer_event_id: int
    user_hash: str
    comment: str
    at: str

    @classmethod
    def of(cls, answer_event_id: int, user_hash: str, comment: str, at: datetime | None = None) -> Commented:
        check_user(user_hash)
        return cls(row_id(answer_event_id), user_hash, mask_personal_data(comment), utc_text(at))

    @property
    def label(self) -> str:
        return f"comment on answer {self.answer_event_id}"

    def apply(self, db: sqlite3.Connection) -> bool:
        """Whether the citizen's rating of that answer took the comment (``False``: no rating)."""
        cursor = db.execute(
            "UPDATE ratings SET comment = ?, updated_at = ? WHERE answer_event_id = ? AND user_hash = ?"
            " AND updated_at <= ?",
            (self.comment, self.at, self.answer_event_id, self.user_hash, self.at),
        )
        return cursor.rowcount == 1


_KINDS: dict[str, type[Asked | Shown | Chosen | Corrected | Rated | Commented]] = {
    kind.OP: kind for kind in (Asked, Shown, Chosen, Corrected, Rated, Commented)
}
#: The spool records that are events (the others belong to the inbox).
EVENT_OPS = frozenset(_KINDS)


def event_from_record(record: Record) -> Event:
    """The event a spool record holds; ``KeyError``/``TypeError`` for one that is not."""
    return _KINDS[record["op"]].from_record(record)


def apply_event_records(db: sqlite3.Connection, records: Iterable[Record]) -> int:
    """Write the events among ``records`` in order, each in a savepoint of the caller's
    transaction: one refused at last (a forged press accepted while the database could not say)
    or unreadable is logged and skipped, never stops the rest. An error of the database itself
    (disk full, I/O) is raised: nothing is written, the records wait. How many were written."""
    written = 0
    for record in records:
        if record.get("op") not in EVENT_OPS:
            continue
        db.execute("SAVEPOINT event")
        try:
            event_from_record(record).apply(db)
        except (Refused, sqlite3.IntegrityError, KeyError, TypeError, ValueError) as error:
            db.execute("ROLLBACK TO event")
            _LOG.warning("a deferred %s was not written: %s", record.get("op"), error)
        else:
            written += 1
        finally:
            db.execute("RELEASE event")
    return written


def apply_events(db: sqlite3.Connection, events: Sequence[Event]) -> list[Any]:
    """Write ``events`` in the caller's transaction; each one's result (``Refused`` raised)."""
    return [event.apply(db) for event in events]

"""The schema as an ordered list of named migrations; ``schema_migrations`` records those applied.

A migration is never edited once released: a change is a new migration appended to the list.
Each runs in its own ``BEGIN IMMEDIATE`` transaction with the row that records it, so a crash
leaves it either fully applied or not at all. Times are UTC text, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``,
so they sort and compare as strings. Users appear only as keyed hashes (``user_hash``); the one
messenger id in the schema is ``contacts.chat_id`` (see ``Store.subscribe``); staff too are
keyed hashes (``staff_members``).

Sets that will grow (platforms, the ways an answer is shown) are checked in Python rather than
by ``CHECK`` constraints, so adding one needs no table rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MIGRATIONS", "Migration"]


@dataclass(frozen=True)
class Migration:
    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_questions_answers_ratings",
        (
            # One row per question asked in free text; update_key makes a replayed update a no-op.
            """CREATE TABLE questions (
                id INTEGER PRIMARY KEY,
                asked_at TEXT NOT NULL,
                platform TEXT NOT NULL,
                user_hash TEXT NOT NULL,
                language TEXT NOT NULL,
                text TEXT,
                match_form TEXT NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('answer', 'did_you_mean', 'no_match')),
                answer_id TEXT,
                score REAL NOT NULL,
                candidates TEXT NOT NULL DEFAULT '[]',
                response_ms INTEGER NOT NULL CHECK (response_ms >= 0),
                update_key TEXT UNIQUE
            )""",
            "CREATE INDEX questions_asked_at ON questions (asked_at)",
            "CREATE INDEX questions_user ON questions (user_hash, asked_at)",
            # The citizen's choice after "did you mean": one per question, a later choice replaces it.
            """CREATE TABLE resolutions (
                question_id INTEGER PRIMARY KEY REFERENCES questions (id),
                entry_id TEXT NOT NULL,
                resolved_at TEXT NOT NULL
            )""",
            # Every answer shown: direct, chosen from "did you mean", or browsed in the menu.
            """CREATE TABLE answer_events (
                id INTEGER PRIMARY KEY,
                question_id INTEGER REFERENCES questions (id),
                entry_id TEXT NOT NULL,
                user_hash TEXT NOT NULL,
                platform TEXT NOT NULL,
                via TEXT NOT NULL,
                shown_at TEXT NOT NULL,
                update_key TEXT UNIQUE
            )""",
            "CREATE INDEX answer_events_question ON answer_events (question_id)",
            "CREATE INDEX answer_events_shown_at ON answer_events (shown_at)",
            # One rating per (answer shown, user): a second press updates it.
            """CREATE TABLE ratings (
                id INTEGER PRIMARY KEY,
                answer_event_id INTEGER NOT NULL REFERENCES answer_events (id),
                user_hash TEXT NOT NULL,
                score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
                comment TEXT,
                rated_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (answer_event_id, user_hash)
            )""",
            "CREATE INDEX ratings_rated_at ON ratings (rated_at)",
        ),
    ),
    Migration(
        "0002_subscriptions_contacts",
        (
            """CREATE TABLE subscriptions (
                user_hash TEXT PRIMARY KEY,
                platform TEXT NOT NULL,
                subscribed INTEGER NOT NULL CHECK (subscribed IN (0, 1)),
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            # The only messenger ids in the database: kept while a purpose needs them, then deleted.
            """CREATE TABLE contacts (
                user_hash TEXT PRIMARY KEY,
                platform TEXT NOT NULL,
                chat_id INTEGER NOT NULL,
                for_subscription INTEGER NOT NULL DEFAULT 0,
                for_handoff INTEGER NOT NULL DEFAULT 0,
                updated_at TEXT NOT NULL,
                CHECK (for_subscription = 1 OR for_handoff = 1)
            )""",
        ),
    ),
    Migration(
        "0003_handoffs",
        (
            # A citizen's request for a person: opened, then answered by the first staff reply.
            """CREATE TABLE handoffs (
                id INTEGER PRIMARY KEY,
                user_hash TEXT NOT NULL,
                platform TEXT NOT NULL,
                question_id INTEGER REFERENCES questions (id),
                opened_at TEXT NOT NULL,
                answered_at TEXT,
                staff_replies INTEGER NOT NULL DEFAULT 0 CHECK (staff_replies >= 0)
            )""",
            "CREATE INDEX handoffs_opened_at ON handoffs (opened_at)",
        ),
    ),
    Migration(
        "0004_announcements",
        (
            # One row per broadcast; the delivery counts are filled in as the broadcast goes on.
            """CREATE TABLE announcements (
                id INTEGER PRIMARY KEY,
                created_at TEXT NOT NULL,
                platform TEXT NOT NULL,
                text TEXT NOT NULL,
                sent INTEGER NOT NULL DEFAULT 0 CHECK (sent >= 0),
                blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked >= 0),
                failed INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0)
            )""",
            "CREATE INDEX announcements_created_at ON announcements (created_at)",
        ),
    ),
    Migration(
        "0005_subscription_history",
        (
            # Every change of a subscription, written by triggers, so the report can count the
            # subscribers at any past time. Rows that existed before are backfilled: subscribed
            # since created_at, and unsubscribed at updated_at if they are not subscribed now.
            """CREATE TABLE subscription_events (
                id INTEGER PRIMARY KEY,
                user_hash TEXT NOT NULL,
                platform TEXT NOT NULL,
                subscribed INTEGER NOT NULL CHECK (subscribed IN (0, 1)),
                at TEXT NOT NULL
            )""",
            "CREATE INDEX subscription_events_user ON subscription_events (user_hash, at)",
            "INSERT INTO subscription_events (user_hash, platform, subscribed, at)"
            " SELECT user_hash, platform, 1, created_at FROM subscriptions",
            "INSERT INTO subscription_events (user_hash, platform, subscribed, at)"
            " SELECT user_hash, platform, 0, updated_at FROM subscriptions WHERE subscribed = 0",
            """CREATE TRIGGER subscription_started AFTER INSERT ON subscriptions BEGIN
                INSERT INTO subscription_events (user_hash, platform, subscribed, at)
                VALUES (new.user_hash, new.platform, new.subscribed, new.updated_at);
            END""",
            """CREATE TRIGGER subscription_changed AFTER UPDATE OF subscribed, platform ON subscriptions
            WHEN old.subscribed IS NOT new.subscribed OR old.platform IS NOT new.platform BEGIN
                INSERT INTO subscription_events (user_hash, platform, subscribed, at)
                VALUES (new.user_hash, new.platform, new.subscribed, new.updated_at);
            END""",
            """CREATE TRIGGER subscription_deleted AFTER DELETE ON subscriptions WHEN old.subscribed = 1 BEGIN
                INSERT INTO subscription_events (user_hash, platform, subscribed, at)
                VALUES (old.user_hash, old.platform, 0, strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now'));
            END""",
        ),
    ),
    Migration(
        "0006_staff_changes",
        (
            # Every change staff make to the knowledge base (and every dismissal of an unanswered
            # question), with the value before and after; an undo is a row of its own (undo_of)
            # and marks the row it reverts as undone.
            """CREATE TABLE staff_changes (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                staff_hash TEXT NOT NULL,
                platform TEXT NOT NULL,
                entry_id TEXT NOT NULL,
                field TEXT NOT NULL,
                before TEXT,
                after TEXT,
                undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
                undo_of INTEGER REFERENCES staff_changes (id)
            )""",
            "CREATE INDEX staff_changes_staff ON staff_changes (staff_hash, id)",
        ),
    ),
    Migration(
        "0007_handoff_messages",
        (
            # The staff group's copy of a handoff: a reply to it goes to the handoff's citizen.
            """CREATE TABLE handoff_messages (
                platform TEXT NOT NULL,
                chat_id INTEGER NOT NULL,
                message_id INTEGER NOT NULL,
                handoff_id INTEGER NOT NULL REFERENCES handoffs (id),
                PRIMARY KEY (platform, chat_id, message_id)
            )""",
        ),
    ),
    Migration(
        "0008_corrections_and_suggestions",
        (
            # A citizen who pressed an alternative (or the other part of a two-part question)
            # under an answer: not a rating, never part of satisfaction.
            """CREATE TABLE corrections (
                id INTEGER PRIMARY KEY,
                question_id INTEGER NOT NULL REFERENCES questions (id),
                from_entry TEXT NOT NULL,
                to_entry TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('alternative', 'part')),
                at TEXT NOT NULL,
                UNIQUE (question_id, to_entry)
            )""",
            "CREATE INDEX corrections_at ON corrections (at)",
            # A question and the entry the citizen chose for it: a phrasing staff may accept.
            """CREATE TABLE suggestions (
                id INTEGER PRIMARY KEY,
                question_id INTEGER NOT NULL REFERENCES questions (id),
                entry_id TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
                created_at TEXT NOT NULL,
                decided_at TEXT,
                UNIQUE (question_id, entry_id)
            )""",
            "CREATE INDEX suggestions_status ON suggestions (status, id)",
            # The entries offered under an answer (JSON list), and a two-part question's entries.
            "ALTER TABLE questions ADD COLUMN alternatives TEXT",
            "ALTER TABLE questions ADD COLUMN parts TEXT",
        ),
    ),
    Migration(
        "0009_staff_members",
        (
            # Staff managed in the bot by an admin (``/staff``), seeded from the config: one row
            # per person ever listed, as a keyed hash; ``role`` NULL once removed, so a removal
            # stands over the config's list after a restart. ``name`` is what the admin saw.
            """CREATE TABLE staff_members (
                id INTEGER PRIMARY KEY,
                user_hash TEXT NOT NULL UNIQUE,
                platform TEXT NOT NULL,
                role TEXT CHECK (role IS NULL OR role IN ('editor', 'viewer')),
                name TEXT NOT NULL DEFAULT '',
                source TEXT NOT NULL CHECK (source IN ('config', 'bot')),
                updated_at TEXT NOT NULL,
                updated_by TEXT
            )""",
        ),
    ),
    Migration(
        "0010_inbox",
        (
            # Every update received, recorded before the Bot API is told it arrived (the next
            # getUpdates offset, a webhook's HTTP 200): replayed until its handling finished
            # (done_at), its body blanked then. A repeat of (platform, bot, update) is dropped.
            # ``key`` is generated: unlike the update id it never repeats (new token, API reset);
            # ``digest`` (keyed) tells a redelivery from a new update that reuses an old id.
            """CREATE TABLE inbox (
                platform TEXT NOT NULL,
                bot_id INTEGER NOT NULL,
                update_id INTEGER NOT NULL,
                key INTEGER NOT NULL UNIQUE,
                body TEXT,
                received_at TEXT NOT NULL,
                done_at TEXT,
                digest TEXT,
                PRIMARY KEY (platform, bot_id, update_id)
            )""",
            "CREATE INDEX inbox_waiting ON inbox (platform, bot_id, update_id) WHERE done_at IS NULL",
            "CREATE INDEX inbox_received ON inbox (received_at)",
        ),
    ),
    Migration(
        "0011_deliveries",
        (
            # The replies the Bot API accepted for an update (``update_key`` as in ``questions``),
            # written with its done mark in the inbox's transaction; kept when the inbox row is
            # pruned. ``sabtyar stats`` counts a question ``delivered`` when its update has a row.
            # The first finished handling counts: a replay after a crash adds nothing.
            """CREATE TABLE deliveries (
                update_key TEXT PRIMARY KEY,
                replies INTEGER NOT NULL,
                delivered_at TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        "0012_inbox_without_indexes",
        (
            # Every update wrote both into the inbox's b-tree pages at its arrival, and the
            # partial one again at its done mark (3 of the 17 pages an answered question wrote);
            # they served only the start's read of the updates not done and the daily pruning,
            # which read the primary key's range (the 2 days kept) or the whole table instead.
            "DROP INDEX IF EXISTS inbox_waiting",
            "DROP INDEX IF EXISTS inbox_received",
        ),
    ),
)

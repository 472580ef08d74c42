"""A local fake Telegram/Bale Bot API server for end-to-end tests of sabtyar.

Start it in-process with ``async with FakeBotApi(profile="telegram") as api`` and point PTB at
``api.base_url`` / ``api.base_file_url`` with token ``api.token``; or run it as a process with
``python -m tests.support.fakeapi --port 0 --profile bale`` (prints the port first).

Citizens: ``create_user``, ``create_group``, ``user_sends_text/command/sticker/photo/voice/
document/location``, ``user_shares_contact``, ``user_mentions_bot``, ``user_edits_message``,
``user_presses_button``, ``user_blocks_bot`` (each returns the queued Update JSON).
Observing: ``await wait_for_messages(chat_id)``, ``sent(chat_id)``, ``calls(method)``,
``callback_answers``, ``wait_for_calls``, ``expect_no_messages``, ``wait_until_delivered``.
Faults: ``inject(Fault.retry_after(3), "sendMessage")`` and the other :class:`Fault` builders;
``fail_every(7)``: one call in 7 fails (HTTP 500, a dropped connection, in turn).
"""

from .faults import Fault, FaultPlan
from .objects import CallRecord, FakeChat, FakeUser, SentMessage, StoredFile
from .profiles import BALE, PROFILES, TELEGRAM, Profile
from .protocol import ApiError
from .server import DEFAULT_TOKEN, FakeBotApi
from .simulation import TINY_PNG
from .webhook import SECRET_HEADER

__all__ = [
    "BALE",
    "DEFAULT_TOKEN",
    "PROFILES",
    "SECRET_HEADER",
    "TELEGRAM",
    "TINY_PNG",
    "ApiError",
    "CallRecord",
    "FakeBotApi",
    "FakeChat",
    "FakeUser",
    "Fault",
    "FaultPlan",
    "Profile",
    "SentMessage",
    "StoredFile",
]

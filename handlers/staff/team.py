"""``/staff``: an admin adds and removes staff in the bot; changes take effect at once, audited.

Forms (an admin only; ``[staff.<platform>] admins``, else the config's editors)::

    /staff                          the list, with a remove button per member
    /staff add editor 123456789     by numeric messenger id (or ``viewer``)
    /staff add viewer               then forward a message of the person (or: as a reply to
                                    their message in the staff group)
    /staff remove 123456789         or the list's remove button

The list lives in the database (:mod:`bot.store.staff_members`), seeded from the config at
start, and in each process's :class:`~bot.messenger.staff_roster.StaffRoster`. Each change is
a row of ``staff_changes`` (field ``staff_role``, the role before and after) that ``/undo``
reverts. Admins are managed in the config only and cannot be removed here.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageOriginUser, Update, User
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.calendar import latin_digits
from bot.messenger.callback_data import RemoveStaff, encode, matches
from bot.messenger.staff_settings import Role
from bot.store.curation import Change, record_change
from bot.store.staff_members import set_staff_role, staff_member, staff_members
from handlers.common import pressed, refuse, sender, settle
from handlers.context import BotContext
from handlers.sending import send_text
from handlers.staff.auth import log_refusal, staff_command

__all__ = ["STAFF_ROLE", "handlers", "revert_role", "take_forward"]

_LOG = logging.getLogger("sabtyar.staff")
#: The audited field of a staff member's role (``entry_id``: ``staff-<member id>``).
STAFF_ROLE = "staff_role"
_TASK = "staff"


def _is_admin(context: BotContext, user: User) -> bool:
    return context.services.roster.is_admin(context.user_hash(user))


def _words(context: BotContext, key: str) -> frozenset[str]:
    """A command word in every language (``staff.team_word_add``: «add افزودن»)."""
    catalogs = context.services.shared.locales.catalogs.values()
    return frozenset(word.lower() for catalog in catalogs for word in catalog.text(key).split())


def _role_word(context: BotContext, word: str) -> Role | None:
    for role in Role:
        if word.lower() in _words(context, f"staff.team_word_{role}"):
            return role
    return None


def _user_id(word: str) -> int | None:
    """A messenger user id as typed (any digits, at most 18)."""
    digits = latin_digits(word.strip())
    return int(digits) if digits.isdigit() and len(digits) <= 18 and int(digits) > 0 else None


def _person(message: Message) -> tuple[int, str] | None:
    """The person a message is from: a forward's original sender, else its author (not a bot)."""
    origin = message.forward_origin
    if origin is not None:
        if isinstance(origin, MessageOriginUser) and not origin.sender_user.is_bot:
            return origin.sender_user.id, origin.sender_user.full_name
        return None
    author = message.from_user
    if author is None or author.is_bot:
        return None
    return author.id, author.full_name


async def _change(
    context: BotContext, admin: User, chat_id: int, member_hash: str, role: Role | None, name: str | None
) -> None:
    """Store, apply and audit one change of ``member_hash``'s role, and say what happened."""
    catalog, store, platform = context.catalog, context.store, context.platform.name
    user_hash, roster = context.user_hash(admin), context.services.roster
    if roster.is_admin(member_hash):
        await send_text(context, chat_id, catalog.text("staff.team_admin_fixed"))
        return
    if role is None and roster.role(member_hash) is None:
        await send_text(context, chat_id, catalog.text("staff.team_not_member"))
        return
    member_id, before = await set_staff_role(
        store, user_hash=member_hash, platform=platform, role=role, by=user_hash, name=name
    )
    roster.set(member_hash, role)
    after = None if role is None else str(role)
    await record_change(
        store,
        staff_hash=user_hash,
        platform=platform,
        entry_id=f"staff-{member_id}",
        field=STAFF_ROLE,
        before=before,
        after=after,
    )
    _LOG.info("staff member %s: %s -> %s by admin %s", member_id, before, after, user_hash[:12])
    member = await staff_member(store, member_id)
    shown = (member.name if member else "") or catalog.text("staff.team_member", number=member_id)
    if role is None:
        text = catalog.text("staff.team_removed", name=shown)
    else:
        text = catalog.text("staff.team_added", name=shown, role=catalog.text(f"staff.role_{role}"))
    await send_text(context, chat_id, text)


def _hash(context: BotContext, user_id: int) -> str:
    return context.services.shared.hasher(context.platform.name, user_id)


async def _list(context: BotContext, chat_id: int) -> None:
    catalog = context.catalog
    members = await staff_members(context.store, context.platform.name)
    if not members:
        await send_text(context, chat_id, catalog.text("staff.team_empty"))
        return
    lines, rows = [catalog.text("staff.team_title", count=len(members))], []
    roster = context.services.roster
    for member in members:
        name = member.name or catalog.text("staff.team_member", number=member.id)
        source = catalog.text(f"staff.team_source_{member.source}")
        admin = roster.is_admin(member.user_hash)
        role = catalog.text("staff.role_admin" if admin else f"staff.role_{member.role}")
        lines.append(f"• {name} — {role} ({source})")
        if not admin:
            label = catalog.text("staff.team_remove", name=name)
            rows.append([InlineKeyboardButton(label, callback_data=encode(RemoveStaff(member.id)))])
    lines.append(catalog.text("staff.team_usage"))
    await send_text(context, chat_id, "\n".join(lines), markup=InlineKeyboardMarkup(rows) if rows else None)


async def team(update: Update, context: BotContext) -> None:
    """``/staff``: list, add or remove (admins only; others get the citizen reply)."""
    message, user, chat = sender(update)
    catalog, args = context.catalog, [a for a in (context.args or []) if a]
    if not _is_admin(context, user):
        log_refusal(context, user, "/staff")
        await send_text(context, chat.id, catalog.text("staff.team_admins_only"))
        return
    if not args or args[0].lower() in _words(context, "staff.team_word_list"):
        await _list(context, chat.id)
        return
    verb, rest = args[0].lower(), args[1:]
    if verb in _words(context, "staff.team_word_add") and rest and (role := _role_word(context, rest[0])):
        if len(rest) == 2 and (user_id := _user_id(rest[1])) is not None:
            await _change(context, user, chat.id, _hash(context, user_id), role, None)
            return
        replied = message.reply_to_message
        person = _person(replied) if replied is not None and len(rest) == 1 else None
        if person is not None:
            await _change(context, user, chat.id, _hash(context, person[0]), role, person[1])
            return
        if len(rest) == 1:
            context.state.start_draft(_TASK, str(role))
            prompt = catalog.text("staff.team_forward", role=catalog.text(f"staff.role_{role}"))
            await send_text(context, chat.id, prompt)
            return
    removing = verb in _words(context, "staff.team_word_remove") and len(rest) == 1
    if removing and (user_id := _user_id(rest[0])) is not None:
        await _change(context, user, chat.id, _hash(context, user_id), None, None)
        return
    await send_text(context, chat.id, catalog.text("staff.team_usage"))


async def take_forward(update: Update, context: BotContext) -> None:
    """The message forwarded after ``/staff add ROLE``: its original sender gets the role."""
    message, user, chat = sender(update)
    draft = context.state.pending_draft()
    assert draft is not None
    context.state.draft = None
    person = _person(message) if message.forward_origin is not None else None
    if not _is_admin(context, user):
        return
    if person is None:
        await send_text(context, chat.id, context.catalog.text("staff.team_hidden"))
        return
    await _change(context, user, chat.id, _hash(context, person[0]), Role(draft.entry_id), person[1])


def is_staff_draft(task: str) -> bool:
    return task == _TASK


async def remove_pressed(update: Update, context: BotContext) -> None:
    """The list's remove button."""
    query, data, user = pressed(update, RemoveStaff)
    member = await staff_member(context.store, data.member_id)
    ok = member is not None and member.platform == context.platform.name and member.role is not None
    if not _is_admin(context, user) or not ok or member is None or query.message is None:
        await refuse(query, context)
        return
    await query.answer()
    await settle(query.edit_message_reply_markup(None))
    await _change(context, user, query.message.chat.id, member.user_hash, None, None)


async def revert_role(context: BotContext, change: Change, admin: User) -> bool:
    """Undo one audited role change (``/undo``); ``False`` if it cannot be undone now."""
    member_id = int(change.entry_id.removeprefix("staff-") or 0)
    member = await staff_member(context.store, member_id) if member_id > 0 else None
    if member is None or member.role != change.after or not _is_admin(context, admin):
        return False
    role = None if change.before is None else Role(change.before)
    await set_staff_role(
        context.store,
        user_hash=member.user_hash,
        platform=member.platform,
        role=change.before,
        by=context.user_hash(admin),
    )
    context.services.roster.set(member.user_hash, role)
    return True


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        staff_command("staff", Role.EDITOR, team),
        CallbackQueryHandler(remove_pressed, pattern=matches(RemoveStaff)),
    ]

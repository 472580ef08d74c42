"""The knowledge workbook in the chat: editors send it back, see what would change, and apply it.

``/workbook`` sends the knowledge base as the workbook ``sabtyar kb export`` writes; ``/import``
says how to send it back. An editor's ``.xlsx`` (or ``.csv``) document, in a private chat or in
the staff group (as a reply to the bot or with ``/import`` as its caption), is validated in full
without changing anything (:func:`~bot.knowledge.workbook.importer.import_workbook` with
``dry_run``): a broken workbook gets every error with its sheet, row and column, and nothing
changes; a valid one gets a preview (entries added, changed with a short diff of the answer, and
removed; offices added, changed and removed, and the province's changed fields) with apply and
drop buttons. A workbook without the offices sheets (exported by an older version) leaves the
offices as they are.

Apply imports the same file all or nothing, provided the knowledge folder is still the one the
preview was computed on, swaps the engine at once (citizens get the new answers; other worker
processes within 2 s; the offices on the next question, as ``offices.yaml`` is read again
when it changes), and audits the import as one ``staff_changes`` row (field
``workbook_import``: the backup folder before, the files written and their digests after) that
``/undo`` reverts by putting the backup back, unless a file was edited since. If the files
were written but the bot could not load them, the editor is told the running answers are the
old ones. The uploaded file waits under ``<store folder>/staff-uploads/`` for at most 15 minutes.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import logging
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.knowledge.diff import KnowledgeDiff, OfficeDiff, knowledge_diff, office_diff
from bot.knowledge.directory.offices import OfficeBook, load_offices
from bot.knowledge.loader import Problem
from bot.knowledge.restore import RestoreConflict, file_digests, folder_fingerprint, restore_backup
from bot.locale import Catalog
from bot.messenger.callback_data import ImportApply, ImportDrop, encode, matches
from bot.messenger.staff_settings import Role
from bot.store.curation import Change, record_change
from handlers.common import pressed, refuse, sender, settle
from handlers.context import DRAFT_SECONDS, BotContext
from handlers.sending import send_text
from handlers.staff.auth import role_of, staff_command

if TYPE_CHECKING:  # openpyxl loads on the first workbook, not when the bot starts
    from bot.knowledge.workbook.exporter import CellError, ImportResult, KbWords

__all__ = ["WORKBOOK_IMPORT", "handlers", "message_handlers", "revert_import"]

_LOG = logging.getLogger("sabtyar.staff")
#: The audited field of a workbook import (``entry_id``: ``workbook``).
WORKBOOK_IMPORT = "workbook_import"
_SUFFIXES = (".xlsx", ".csv")
_MAX_BYTES = 10 * 1024 * 1024
_MAX_LISTED = 15
_MAX_ERRORS = 20


def _uploads(context: BotContext) -> Path:
    folder = context.services.shared.settings.store.path.parent / "staff-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old(folder: Path, now: float) -> None:
    """Uploads older than a staff draft's wait are dropped."""
    for path in folder.iterdir():
        try:
            if now - path.stat().st_mtime > DRAFT_SECONDS:
                path.unlink()
        except OSError:
            continue


def error_text(error: CellError, catalog: Catalog) -> str:
    """One import error in the reader's language where the error can say it, else as written."""
    worded = getattr(error, "text", None)
    return str(worded(catalog)) if callable(worded) else str(error)


def _errors_text(errors: Sequence[CellError], catalog: Catalog) -> str:
    lines = [f"• {error_text(error, catalog)}" for error in errors[:_MAX_ERRORS]]
    if len(errors) > _MAX_ERRORS:
        lines.append(catalog.text("staff.import_more", count=len(errors) - _MAX_ERRORS))
    return "\n".join(lines)


def _problems_text(problems: Sequence[Problem]) -> str:
    return "\n".join(f"• {problem}" for problem in problems[:_MAX_ERRORS])


def _office_items(offices: OfficeDiff, catalog: Catalog) -> list[list[str]]:
    separator = catalog.text("staff.import_separator")
    items = [[catalog.text("staff.import_office_added", name=name)] for name in offices.added]
    items += [
        [catalog.text("staff.import_office_changed", name=name, fields=separator.join(names))]
        for name, names in offices.changed
    ]
    items += [[catalog.text("staff.import_office_removed", name=name)] for name in offices.removed]
    if offices.province:
        items.append([catalog.text("staff.import_province_changed", fields=separator.join(offices.province))])
    return items


def _offices_change(before: OfficeBook, result: ImportResult) -> OfficeDiff:
    """What the import changes in the offices (nothing when the workbook has no offices sheets)."""
    return OfficeDiff() if result.offices is None else office_diff(before, result.offices)


def preview_text(
    diff: KnowledgeDiff, file_name: str, catalog: Catalog, offices: OfficeDiff | None = None
) -> str:
    """The preview: counts, then each entry changed (fields and answer diff), added and removed,
    then the offices and the province."""
    heading = catalog.text(
        "staff.import_preview",
        file=file_name,
        added=len(diff.added),
        changed=len(diff.changed),
        removed=len(diff.removed),
    )
    separator = catalog.text("staff.import_separator")
    items: list[list[str]] = [
        [
            catalog.text(
                "staff.import_changed_entry",
                entry=change.entry_id,
                title=change.title,
                fields=separator.join(change.fields),
            ),
            *(f"   {line}" for line in change.answer_diff),
        ]
        for change in diff.changed
    ]
    items += [[catalog.text("staff.import_added_entry", entry=e.id, title=e.title)] for e in diff.added]
    items += [[catalog.text("staff.import_removed_entry", entry=e.id, title=e.title)] for e in diff.removed]
    items += [
        [catalog.text("staff.import_new_category", category=c.id, title=c.title)]
        for c in diff.categories_added
    ]
    items += [[catalog.text("staff.import_changed_category", category=c)] for c in diff.categories_changed]
    items += _office_items(offices or OfficeDiff(), catalog)
    lines = [heading, *(line for item in items[:_MAX_LISTED] for line in item)]
    if len(items) > _MAX_LISTED:
        lines.append(catalog.text("staff.import_more", count=len(items) - _MAX_LISTED))
    return "\n".join([*lines, "", catalog.text("staff.import_confirm")])


def _keyboard(token: str, catalog: Catalog) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    catalog.text("staff.import_apply"), callback_data=encode(ImportApply(token))
                ),
                InlineKeyboardButton(catalog.text("staff.cancel"), callback_data=encode(ImportDrop(token))),
            ]
        ]
    )


def _words(context: BotContext) -> KbWords:
    from bot.knowledge.workbook.exporter import KbWords

    return KbWords.of(context.services.shared.locales)


async def on_document(update: Update, context: BotContext) -> None:
    """An editor's workbook: errors, or the preview with apply and drop. Others' documents go on."""
    message, user, chat = sender(update)
    document = message.document
    name = (document.file_name or "") if document else ""
    if document is None or not name.lower().endswith(_SUFFIXES) or role_of(context, user) is not Role.EDITOR:
        return
    catalog, folder = context.catalog, context.services.shared.settings.knowledge_dir
    if (document.file_size or 0) > _MAX_BYTES:
        await send_text(context, chat.id, catalog.text("staff.import_too_big"))
        raise ApplicationHandlerStop
    try:
        data = bytes(await (await context.bot.get_file(document.file_id)).download_as_bytearray())
    except TelegramError as error:
        _LOG.warning("workbook download failed: %s", error.message)
        await send_text(context, chat.id, catalog.text("staff.import_download_failed"))
        raise ApplicationHandlerStop from None
    uploads, now = _uploads(context), time.time()
    _forget_old(uploads, now)
    staff_hash = context.user_hash(user)
    token = hashlib.sha256(data + staff_hash.encode() + str(time.time_ns()).encode()).hexdigest()[:16]
    path = uploads / f"{token}{Path(name).suffix.lower()}"
    path.write_bytes(data)
    fingerprint = await asyncio.to_thread(folder_fingerprint, folder)
    from bot.knowledge.workbook.exporter import import_workbook

    result = await asyncio.to_thread(import_workbook, path, folder, _words(context), dry_run=True)
    if not result.ok or result.knowledge is None:
        path.unlink(missing_ok=True)
        failed = catalog.text("staff.import_failed", file=name, count=len(result.errors))
        await send_text(context, chat.id, f"{failed}\n{_errors_text(result.errors, catalog)}")
        raise ApplicationHandlerStop
    diff = knowledge_diff(context.knowledge, result.knowledge)
    offices = _offices_change((await asyncio.to_thread(load_offices, folder))[0], result)
    if diff.empty and offices.empty:
        path.unlink(missing_ok=True)
        await send_text(context, chat.id, catalog.text("staff.import_same", file=name))
        raise ApplicationHandlerStop
    meta = {"file": path.name, "name": name, "fingerprint": fingerprint, "staff": staff_hash}
    path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    text = preview_text(diff, name, catalog, offices)
    await send_text(context, chat.id, text, markup=_keyboard(token, catalog))
    raise ApplicationHandlerStop


def _pending(context: BotContext, token: str) -> tuple[Path, dict[str, Any]] | None:
    meta_path = _uploads(context) / f"{token}.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if time.time() - meta_path.stat().st_mtime > DRAFT_SECONDS:
        return None
    return meta_path, meta


def _drop(meta_path: Path, meta: dict[str, Any]) -> None:
    (meta_path.parent / str(meta.get("file", ""))).unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)


async def apply_pressed(update: Update, context: BotContext) -> None:
    """Import the previewed workbook all or nothing, swap the engine, audit it."""
    query, data, user = pressed(update, ImportApply)
    pending = _pending(context, data.token)
    if role_of(context, user) is not Role.EDITOR or pending is None or query.message is None:
        await refuse(query, context)
        return
    await query.answer()
    await settle(query.edit_message_reply_markup(None))
    meta_path, meta = pending
    chat_id, catalog = query.message.chat.id, context.catalog
    folder, live = context.services.shared.settings.knowledge_dir, context.services.shared.live
    source = meta_path.parent / str(meta["file"])
    before = context.knowledge
    words = _words(context)

    def write() -> tuple[ImportResult, dict[str, str], OfficeBook] | None:
        from bot.knowledge.workbook.exporter import import_workbook

        if folder_fingerprint(folder) != meta["fingerprint"]:
            return None
        offices_before = load_offices(folder)[0]
        result = import_workbook(source, folder, words)
        return result, file_digests(folder, result.changed) if result.ok else {}, offices_before

    try:
        outcome, problems = await live.change_files(write)
    finally:
        _drop(meta_path, meta)
    if outcome is None:
        await send_text(context, chat_id, catalog.text("staff.import_stale"))
        return
    result, digests, offices_before = outcome
    if not result.ok or result.knowledge is None:
        failed = catalog.text("staff.import_failed", file=str(meta["name"]), count=len(result.errors))
        await send_text(context, chat_id, f"{failed}\n{_errors_text(result.errors, catalog)}")
        return
    if not result.changed or result.backup is None:
        await send_text(context, chat_id, catalog.text("staff.import_same", file=str(meta["name"])))
        return
    diff = knowledge_diff(before, result.knowledge)
    offices = _offices_change(offices_before, result)
    staff_hash = context.user_hash(user)
    after: dict[str, Any] = {
        "files": digests,
        "added": [e.id for e in diff.added],
        "changed": [c.entry_id for c in diff.changed],
        "removed": [e.id for e in diff.removed],
    }
    if not offices.empty:
        after["offices"] = {
            "added": list(offices.added),
            "changed": [name for name, _fields in offices.changed],
            "removed": list(offices.removed),
            "province": list(offices.province),
        }
    await record_change(
        context.store,
        staff_hash=staff_hash,
        platform=context.platform.name,
        entry_id="workbook",
        field=WORKBOOK_IMPORT,
        before=str(result.backup.relative_to(folder)),
        after=json.dumps(after, ensure_ascii=False),
    )
    _LOG.info("workbook import: %s written by staff %s", ", ".join(result.changed), staff_hash[:12])
    counts = {"added": len(diff.added), "changed": len(diff.changed), "removed": len(diff.removed)}
    if problems:
        text = catalog.text("staff.import_not_live", problems=_problems_text(problems), **counts)
    else:
        text = catalog.text("staff.import_applied", **counts)
    if not offices.empty and not problems:
        counted = {
            "added": len(offices.added),
            "changed": len(offices.changed),
            "removed": len(offices.removed),
        }
        text += "\n" + catalog.text("staff.import_offices_applied", **counted)
    await send_text(context, chat_id, text)


async def drop_pressed(update: Update, context: BotContext) -> None:
    """Forget the previewed workbook."""
    query, data, user = pressed(update, ImportDrop)
    pending = _pending(context, data.token)
    if role_of(context, user) is not Role.EDITOR or pending is None:
        await refuse(query, context)
        return
    _drop(*pending)
    await query.answer(context.catalog.text("staff.cancelled"))
    await settle(query.edit_message_reply_markup(None))


async def revert_import(context: BotContext, change: Change) -> bool:
    """``/undo`` of an import: the backup back in place and the engine swapped; ``False`` if a
    file it wrote has changed since (nothing is restored then)."""
    folder, live = context.services.shared.settings.knowledge_dir, context.services.shared.live
    try:
        digests = {str(k): str(v) for k, v in json.loads(change.after or "{}").get("files", {}).items()}
    except (ValueError, AttributeError):
        return False
    backup = folder / (change.before or "")

    def restore() -> bool:
        try:
            restore_backup(folder, backup, digests)
        except RestoreConflict:
            return False
        return True

    restored, _problems = await live.change_files(restore)
    return restored


async def prompt(update: Update, context: BotContext) -> None:
    """How to send the edited workbook."""
    _message, _user, chat = sender(update)
    await send_text(context, chat.id, context.catalog.text("staff.import_prompt"))


async def send_workbook(update: Update, context: BotContext) -> None:
    """The knowledge base as the workbook to edit."""
    _message, _user, chat = sender(update)
    folder, words = context.services.shared.settings.knowledge_dir, _words(context)

    def export() -> bytes:
        from bot.knowledge.workbook.exporter import export_workbook

        with tempfile.TemporaryDirectory(prefix="sabtyar-kb-") as scratch:
            out = Path(scratch) / "knowledge.xlsx"
            export_workbook(folder, out, words)
            return out.read_bytes()

    data = await asyncio.to_thread(export)
    caption = context.catalog.text("staff.workbook_caption")
    file = InputFile(io.BytesIO(data), filename="sabtyar-knowledge.xlsx")
    await context.bot.send_document(chat.id, file, caption=caption)


def message_handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """Documents, in the staff-text group (before the citizens' media reply)."""
    return [MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL, on_document)]


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        staff_command("import", Role.EDITOR, prompt),
        staff_command("workbook", Role.EDITOR, send_workbook),
        CallbackQueryHandler(apply_pressed, pattern=matches(ImportApply)),
        CallbackQueryHandler(drop_pressed, pattern=matches(ImportDrop)),
    ]

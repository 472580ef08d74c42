"""The staff's working copy: made from the shipped knowledge, updated by a new version without
overwriting staff edits, and the only folder staff edits write to (the checkout stays clean)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.cli.doctor import _knowledge_updates
from bot.knowledge.loader import load_knowledge
from bot.knowledge.working_copy import BASE_DIR, UPDATES_DIR, FileChange, prepare_working_copy
from bot.locale import bundled_catalog
from bot.settings import ROOT, load_settings
from bot.shipped import shipped_dir
from tests.support.fakeapi import FakeBotApi
from tests.support.live_bot import live_bot

EDITOR = 9001


def set_answer(path: Path, entry_id: str, answer: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(e for e in data["entries"] if e["id"] == entry_id)["answer"] = answer
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    folder = tmp_path / "shipped"
    shutil.copytree(ROOT / "knowledge", folder)
    return folder


def test_the_shipped_knowledge_is_the_checkouts_and_settings_default_beside_the_database(
    tmp_path: Path,
) -> None:
    assert shipped_dir("knowledge") == ROOT / "knowledge" and shipped_dir("locales") == ROOT / "locales"
    config = tmp_path / "config.toml"
    config.write_text('[store]\npath = "state/sabtyar.db"\n', encoding="utf-8")
    settings = load_settings(config, required=True, environ={})
    assert settings.knowledge_dir == tmp_path / "state" / "knowledge"
    assert settings.shipped_knowledge_dir == ROOT / "knowledge"
    config.write_text('[general]\nknowledge_dir = "kb"\n', encoding="utf-8")
    assert load_settings(config, required=True, environ={}).knowledge_dir == tmp_path / "kb"


def test_first_start_makes_the_copy(tmp_path: Path, shipped: Path) -> None:
    working = tmp_path / "data" / "knowledge"
    report = prepare_working_copy(shipped, working)
    assert report.seeded and report.lines() == []
    assert len(load_knowledge(working)) == len(load_knowledge(shipped))
    assert sorted(p.name for p in (working / BASE_DIR).glob("*.yaml")) == sorted(
        p.name for p in shipped.glob("*.yaml")
    )
    again = prepare_working_copy(shipped, working)
    assert not again.changed


def test_an_update_brings_new_entries_and_never_overwrites_staff_edits(tmp_path: Path, shipped: Path) -> None:
    working = tmp_path / "knowledge"
    prepare_working_copy(shipped, working)
    set_answer(working / "birth.yaml", "birthcert-duplicate", "پاسخ کارکنان: ویرایش‌شده.")  # a staff edit
    staff_file = (working / "birth.yaml").read_bytes()
    # The new version changes an entry in a file staff edited and one in a file they did not,
    # and ships a new category file.
    set_answer(shipped / "birth.yaml", "birthcert-duplicate", "پاسخ نسخه تازه.")
    set_answer(shipped / "smartcard.yaml", "smartcard-lost", "پاسخ تازه کارت ملی.")
    new_file = yaml.safe_load((shipped / "contact.yaml").read_text(encoding="utf-8"))
    new_file["category"]["id"] = "newcat"
    new_file["category"]["title"] = "دسته تازه"
    new_file["entries"] = new_file["entries"][:1]
    [entry] = new_file["entries"]
    entry["id"], entry["category"] = "newcat-first", "newcat"
    entry["questions"] = [f"پرسش آزمونی شماره {n} درباره دسته تازه" for n in "ABCDE"]
    (shipped / "newcat.yaml").write_text(yaml.safe_dump(new_file, allow_unicode=True), encoding="utf-8")

    report = prepare_working_copy(shipped, working)

    assert (working / "birth.yaml").read_bytes() == staff_file  # the staff's edit stays
    assert (working / UPDATES_DIR / "birth.yaml").read_bytes() == (shipped / "birth.yaml").read_bytes()
    assert (working / "smartcard.yaml").read_bytes() == (shipped / "smartcard.yaml").read_bytes()
    assert (working / "newcat.yaml").exists()
    [kept] = report.kept
    assert kept.file == "birth.yaml" and kept.changed == ("birthcert-duplicate",)
    applied = {change.file: change for change in report.applied}
    assert applied["smartcard.yaml"].changed == ("smartcard-lost",)
    assert applied["newcat.yaml"].added == ("newcat-first",)
    notice = (working / UPDATES_DIR / "NOTICE.txt").read_text(encoding="utf-8")
    assert "NOT applied (staff edited birth.yaml" in notice and "birthcert-duplicate" in notice
    knowledge = load_knowledge(working)
    assert knowledge.entry("smartcard-lost").answer.strip() == "پاسخ تازه کارت ملی."
    assert knowledge.entry("birthcert-duplicate").answer.strip() == "پاسخ کارکنان: ویرایش‌شده."
    assert not prepare_working_copy(shipped, working).changed  # told once; the next start is quiet


def test_an_existing_folder_is_adopted_as_the_staffs_own(tmp_path: Path, shipped: Path) -> None:
    working = tmp_path / "kb"
    shutil.copytree(shipped, working)
    set_answer(working / "birth.yaml", "birthcert-duplicate", "پاسخ قدیمی کارکنان.")
    before = {p.name: p.read_bytes() for p in working.glob("*.yaml")}
    assert not prepare_working_copy(shipped, working).changed
    assert {p.name: p.read_bytes() for p in working.glob("*.yaml")} == before
    assert prepare_working_copy(shipped, shipped).changed is False  # the shipped folder is never written


@pytest.mark.slow
async def test_an_edit_in_the_bot_writes_the_data_folder_and_leaves_the_checkout_clean(
    tmp_path: Path,
) -> None:
    def status() -> str:
        return subprocess.run(
            ["git", "status", "--porcelain", "--", "knowledge", "locales"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    before = status()
    extra = f"[staff.telegram]\neditors = [{EDITOR}]\n"
    async with FakeBotApi("telegram") as api, live_bot(tmp_path, api, flood=(100, 1.0), extra=extra):
        editor = api.create_user("Editor", user_id=EDITOR)
        api.user_sends_command(editor, "/edit", "birthcert-duplicate")
        await api.wait_for_messages(editor.id, 1, timeout=30)
        api.user_sends_text(editor, "پاسخ تازه برای آزمون: به دفتر پیشخوان بروید.")
        [preview] = await api.wait_for_messages(editor.id, 1, timeout=30)
        confirm = next(
            b["callback_data"] for b in preview.buttons if b.get("callback_data", "").startswith("sc:")
        )
        api.user_presses_button(editor, preview, confirm)
        await api.wait_for_messages(editor.id, 1, timeout=30)
    working = tmp_path / "knowledge"  # beside the database of the test's config
    assert "پاسخ تازه برای آزمون" in (working / "birth.yaml").read_text(encoding="utf-8")
    assert "پاسخ تازه برای آزمون" not in (ROOT / "knowledge" / "birth.yaml").read_text(encoding="utf-8")
    assert status() == before


def test_an_update_is_told_in_the_officers_language_and_doctor_reads_it_back(
    tmp_path: Path, shipped: Path
) -> None:
    """The change (new, changed, removed entries) is worded from the locale, not left in English."""
    working = tmp_path / "knowledge"
    prepare_working_copy(shipped, working)
    set_answer(working / "birth.yaml", "birthcert-duplicate", "پاسخ کارکنان: ویرایش‌شده.")
    set_answer(shipped / "birth.yaml", "birthcert-duplicate", "پاسخ نسخه تازه.")
    set_answer(shipped / "smartcard.yaml", "smartcard-lost", "پاسخ تازه کارت ملی.")
    report = prepare_working_copy(shipped, working)
    persian = bundled_catalog("fa")
    said = report.said(persian)
    assert said == [
        "دانشنامه از نسخه تازه به‌روز شد: smartcard.yaml: پاسخ‌های تغییرکرده smartcard-lost",
        "تغییرهای نسخه تازه اعمال نشد، چون کارکنان birth.yaml را ویرایش کرده‌اند (پرونده تازه در"
        " .updates/birth.yaml است): birth.yaml: پاسخ‌های تغییرکرده birthcert-duplicate",
    ]
    assert not any(word in line for line in said for word in ("changed", "new ", "removed", "NOT"))
    [warning] = [f for f in _knowledge_updates(working)]
    assert warning.detail.text(persian).endswith(": birth.yaml: پاسخ‌های تغییرکرده birthcert-duplicate")
    assert "changed birthcert-duplicate" in warning.detail.text(bundled_catalog("en"))


def test_a_change_is_read_back_from_its_notice_words() -> None:
    for change in (
        FileChange("a.yaml", ("x", "y"), ("z",), ("w",)),
        FileChange("b.yaml", removed=("r",)),
        FileChange("c.yaml"),
    ):
        assert FileChange.read(str(change)) == change
    assert FileChange.read("no change here") is None
    assert FileChange.read("a.yaml: renamed x") is None
    assert FileChange.read("c.yaml: wording").text(bundled_catalog("fa")) == "c.yaml: تغییر در نوشته"  # type: ignore[union-attr]

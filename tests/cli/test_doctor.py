"""``sabtyar doctor`` as an IT officer runs it: a real process against the local Bot API server."""

from __future__ import annotations

import asyncio
import os
import re
import string
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.knowledge.working_copy import prepare_working_copy
from bot.locale import Catalog, bundled_catalog
from bot.settings import ROOT, load_settings
from tests.support.fakeapi import FakeBotApi


async def doctor(config: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli.main",
        "--config",
        str(config),
        "doctor",
        *extra,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    noise = [line for line in err.decode().splitlines() if "پوشه دانشنامه کارکنان" not in line]
    assert noise == [], err.decode()
    return int(process.returncode or 0), out.decode().splitlines()


#: The ``[general]`` table of the tests that read doctor's English (the default is Persian).
ENGLISH = '[general]\nlanguage = "en"\n'


def write_config(
    tmp_path: Path, api: FakeBotApi, token: str, extra: str = "", general: str = ENGLISH
) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f'{general}[store]\npath = "data/sabtyar.db"\n'
        f'[platforms.telegram]\ntoken = "{token}"\nbase_url = "{api.base_url}"\n'
        f'base_file_url = "{api.base_file_url}"\n[platforms.bale]\nenabled = false\n{extra}',
        encoding="utf-8",
    )
    return config


async def test_doctor_names_a_bad_token_and_a_missing_knowledge_folder(tmp_path: Path) -> None:
    async with FakeBotApi("telegram") as api:
        config = write_config(tmp_path, api, "999:WRONG", general=ENGLISH + 'knowledge_dir = "nowhere"\n')
        code, lines = await doctor(config)
    assert code == 1
    [knowledge] = [line for line in lines if " knowledge:" in line]
    assert (
        knowledge.startswith("FAIL knowledge: the knowledge folder")
        and str(tmp_path / "nowhere") in knowledge
    )
    assert "-> remove [general] knowledge_dir" in knowledge
    [token] = [line for line in lines if "telegram token" in line]
    assert token == (
        "FAIL telegram token: the Bot API rejected the token -> get the token from @BotFather,"
        " put it in SABTYAR_TELEGRAM_TOKEN (on a server: /etc/sabtyar/sabtyar.env)"
    )
    assert lines[0] == f"ok   config: {config} read and valid"
    assert "999:WRONG" not in "\n".join(lines)


@pytest.mark.slow  # two real processes, each loading the app and the knowledge: 4-5 s
async def test_doctor_passes_a_sound_setup_and_checks_the_webhook(tmp_path: Path) -> None:
    async with FakeBotApi("telegram") as api:
        config = write_config(tmp_path, api, api.token)
        code, lines = await doctor(config)
        assert code == 0, lines
        assert [line.split(":")[0] for line in lines] == [
            "ok   config",
            "ok   knowledge",
            "ok   store",
            "ok   telegram token",
        ]
        assert lines[-1] == "ok   telegram token: accepted: @sabtyar_test_bot"
        assert lines[1].endswith(
            f"entries shipped; the staff's copy is made in {tmp_path / 'data' / 'knowledge'}"
            " on the first start"
        )  # doctor makes nothing: the copy beside the db comes with the first start
        plain = write_config(
            tmp_path, api, api.token, '[platforms.telegram.webhook]\nurl = "http://bot.example.ir/hook"\n'
        )
        code, lines = await doctor(plain, "--offline")
    assert code == 1
    assert lines[-1] == (
        "FAIL telegram webhook: http://bot.example.ir/hook is not https"
        " -> the Bot API posts only to https URLs"
    )


def offline_doctor(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    """``sabtyar [argv] doctor --offline`` in this process: the exit status, stdout's lines, stderr."""
    code = main([*argv, "doctor", "--offline"])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


@pytest.mark.parametrize(
    ("text", "said", "language"),
    [
        (
            ENGLISH + "[monitoring]\nenabeld = true\n",
            "FAIL config: [monitoring] unknown key(s): enabeld (did you mean enabled?) -> correct it in",
            "en",
        ),
        ("[store\n", "FAIL config: ", "fa"),  # unreadable: no language to go by, so the default
        (
            '[general]\nlanguage = "fa"\nlanguag = "en"\n',
            "FAIL config: کلید ناشناخته در [general]: languag (منظورتان language است؟) -> ",
            "fa",
        ),
        (
            "[general]\nworkers = 99\n",
            "FAIL config: مقدار workers در [general] باید عدد صحیحی از `1` تا `32` باشد، نه `99` -> ",
            "fa",
        ),
        (  # the messenger sections' own checks too (they were English only)
            '[handoff]\noffice_hours = "8 to 14"\n',
            "FAIL config: مقدار office_hours در [handoff] باید به شکل `08:00-14:00` باشد، نه `'8 to 14'` -> ",
            "fa",
        ),
        (
            '[platforms.telegram]\nbase_url = "api.telegram.org"\n',
            "FAIL config: مقدار base_url در [platforms.telegram] باید نشانی http(s) باشد، "
            "نه `'api.telegram.org'` -> ",
            "fa",
        ),
    ],
)
def test_doctor_says_a_config_error_as_a_failed_check_with_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, said: str, language: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    code, lines, _ = offline_doctor(capsys, "--config", str(config))
    assert code == 1
    [line] = lines
    fix = bundled_catalog(language).text("doctor.config_invalid_fix", file=str(config))
    assert line.startswith(said) and line.endswith(f" -> {fix}")
    if language == "en":
        assert line.endswith("config.example.toml), then run `sabtyar doctor` again")


def test_doctor_fails_on_a_missing_config_named_by_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "etc" / "config.toml"
    monkeypatch.setenv("SABTYAR_CONFIG", str(missing))
    monkeypatch.chdir(tmp_path)
    code, lines, _ = offline_doctor(capsys)
    assert code == 1
    fa = bundled_catalog("fa")
    fix = fa.text("doctor.config_missing_fix", file=str(missing))
    assert lines == [f"FAIL config: پرونده پیکربندی پیدا نشد: {missing} -> {fix}"]
    assert f"`install -m 0644 deploy/config.server.toml {missing}`" in fix  # the command as it is
    assert sorted(tmp_path.iterdir()) == []  # no data folder made where it was run


def test_doctor_before_the_first_start_checks_the_shipped_knowledge_and_makes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "var" / "lib" / "sabtyar"
    config = tmp_path / "config.toml"
    config.write_text(
        f'{ENGLISH}[store]\npath = "{state}/sabtyar.db"\n[platforms.telegram]\nenabled = false\n'
        "[platforms.bale]\nenabled = false\n",
        encoding="utf-8",
    )
    code, lines, err = offline_doctor(capsys, "--config", str(config))
    assert code == 0, lines
    assert err == ""
    [knowledge] = [line for line in lines if " knowledge:" in line]
    assert knowledge.startswith("ok   knowledge: ")
    assert knowledge.endswith(
        f"entries shipped; the staff's copy is made in {state / 'knowledge'} on the first start"
    )
    assert not (tmp_path / "var").exists()


def test_doctor_names_an_unwritable_folder_and_the_command_that_fixes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    config = tmp_path / "config.toml"
    config.write_text(f'{ENGLISH}[store]\npath = "{state}/sabtyar.db"\n', encoding="utf-8")
    settings = load_settings(config, required=True)
    prepare_working_copy(settings.shipped_knowledge_dir, settings.knowledge_dir)  # as on a first start
    (state / "sabtyar.db").touch()
    # the folder owned by another user (as root, os.access says yes to everything: the bot's user's view)
    real_access = os.access
    monkeypatch.setattr(
        "bot.cli.doctor.os.access",
        lambda path, mode: not Path(path).is_relative_to(state) and real_access(path, mode),
    )
    code, lines, _ = offline_doctor(capsys, "--config", str(config))
    assert code == 1
    [knowledge] = [line for line in lines if " knowledge:" in line]
    assert knowledge == (
        f"FAIL knowledge: {state / 'knowledge'} is not writable: the staff's edits, imports and /undo"
        f" cannot be saved -> give the folder to the bot's user: chown -R sabtyar: {state / 'knowledge'}"
    )
    [store] = [line for line in lines if " store:" in line]
    assert store.startswith("FAIL store: ") and store.endswith(
        f"-> chown the folder to the bot's user: chown -R sabtyar: {state}"
    )


def spoken(catalog: Catalog) -> re.Pattern[str]:
    """What a doctor line says after ``<status> <check>: ``, when every sentence is one of
    ``catalog``'s ``doctor.*`` texts (a placeholder standing for anything): a detail, then
    optionally `` -> `` and what to do."""

    def pattern(template: str) -> str | None:
        parts = list(string.Formatter().parse(template))
        if not any(literal.strip() for literal, *_ in parts):
            return None  # a bare placeholder ("{error}") would match anything
        return "".join(
            re.escape(text) + ("(?:.+?)" if field is not None else "") for text, field, *_ in parts
        )

    def alternatives(keys: list[str]) -> str:
        found = [pattern(catalog.strings[key]) for key in keys]
        return "(?:" + "|".join(p for p in found if p is not None) + ")"

    keys = [
        key for key in catalog.strings if key.startswith("doctor.") and key != "doctor.config_named_missing"
    ]
    fixes = [key for key in keys if key.endswith("_fix")]
    details = [key for key in keys if key not in fixes]
    return re.compile(f"{alternatives(details)}(?: -> {alternatives(fixes)})?", re.DOTALL)


def write_mixed_setup(tmp_path: Path, general: str = "") -> Path:
    """A server with a failed knowledge check, a new database and a webhook that is not https."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[general]\n{general}knowledge_dir = "nowhere"\n[store]\npath = "data/sabtyar.db"\n'
        '[platforms.telegram]\ntoken = "123:ABCdef"\n[platforms.telegram.webhook]\n'
        'url = "http://bot.example.ir/hook"\n[platforms.bale]\nenabled = false\n',
        encoding="utf-8",
    )
    return config


def test_doctor_speaks_persian_by_default_every_sentence_from_the_persian_texts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17: the officer reads Persian; only the status, the check's name, paths and commands
    stay as they are."""
    code, lines, _ = offline_doctor(capsys, "--config", str(write_mixed_setup(tmp_path)))
    assert code == 1
    assert [line.split(":")[0] for line in lines] == [
        "ok   config",
        "FAIL knowledge",
        "ok   store",
        "FAIL telegram webhook",
    ]
    fa, en = spoken(bundled_catalog("fa")), spoken(bundled_catalog("en"))
    for line in lines:
        said = line[5:].partition(": ")[2]
        assert fa.fullmatch(said), line
        assert not en.fullmatch(said), line
        assert re.search("[\u0600-\u06ff]", said), line
    assert str(tmp_path / "nowhere") in lines[1]


def test_doctor_speaks_english_when_the_config_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_mixed_setup(tmp_path, 'language = "en"\n')
    code, lines, _ = offline_doctor(capsys, "--config", str(config))
    assert code == 1
    en = spoken(bundled_catalog("en"))
    assert all(en.fullmatch(line[5:].partition(": ")[2]) for line in lines), lines
    assert lines[-1] == (
        "FAIL telegram webhook: http://bot.example.ir/hook is not https"
        " -> the Bot API posts only to https URLs"
    )
    assert not re.search("[\u0600-\u06ff]", "\n".join(lines))


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_configuration_error_line_is_said_in_the_files_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], language: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[general]\nlanguage = "{language}"\n[store]\npaht = "x.db"\n', encoding="utf-8")
    assert main(["--config", str(config), "stats"]) == 2
    said = bundled_catalog(language)
    guess = said.text("doctor.config.unknown_key_guess", key="paht", guess="path")
    error = said.text("doctor.config.unknown_keys", section="store", keys=guess)
    assert error == {"en": "[store] unknown key(s): paht (did you mean path?)"}.get(language, error)
    fix = said.text("doctor.config_invalid_fix", file=str(config))
    assert capsys.readouterr().err == f"sabtyar: {said.text('cli.config_error', error=error)} -> {fix}\n"

"""Secrets and privacy: tokens and the hashing secret never reach a log line or an error message,
webhooks need the secret header, masking holds on generated data, and neither the database nor an
exported report holds a raw messenger id.
"""

from __future__ import annotations

import asyncio
import random
import socket
import zipfile
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import aiohttp

from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.callback_data import Topic, encode
from bot.messenger.platforms import WebhookSettings
from bot.runner import serve
from bot.secret import Secret
from bot.settings import Settings, StoreSettings
from bot.store import UserHasher, is_valid_national_code, mask_personal_data
from bot.store.privacy import NATIONAL_CODE_MASK, PHONE_MASK
from handlers.context import Shared
from tests.support.bot_harness import platform_for
from tests.support.fakeapi import SECRET_HEADER, FakeBotApi, Fault
from tests.support.live_bot import live_bot, sabtyar, write_config

LOST_BIRTH_CERTIFICATE = "شناسنامه‌ام گم شده"
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def forms_of(secret: str) -> set[str]:
    """A secret as it could leak: verbatim, URL-quoted, and (for tokens) the part after the colon."""
    forms = {secret, quote(secret, safe=""), secret.replace(":", "%3A")}
    if ":" in secret:
        forms.add(secret.split(":", 1)[1])
    return forms


def assert_no_secret(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        for form in forms_of(secret):
            assert form not in text, f"a secret ({form[:4]}…) leaked"


# A whole run's log ------------------------------------------------------------------------------


async def test_a_full_run_logs_no_token_or_hash_secret(tmp_path: Path) -> None:
    async with FakeBotApi("telegram") as api:
        async with live_bot(tmp_path, api) as live:
            citizen = api.create_user("Leak")
            api.user_sends_command(citizen, "/start")
            [menu] = await api.wait_for_messages(citizen.id, timeout=10)
            api.user_presses_button(citizen, menu, encode(Topic("national-code")), strict=False)
            [shown] = await api.wait_for_messages(citizen.id, timeout=10)
            rating = next(
                b["callback_data"] for b in shown.buttons if b.get("callback_data", "").startswith("r:")
            )
            thanked = len(api.callback_answers)
            api.user_presses_button(citizen, shown, rating)
            await api.wait_for_callback_answers(thanked + 1, timeout=10)  # the thank-you toast
            # Errors: a 500, a 401 and a dropped connection while answering, a 502 while polling.
            for fault in (Fault.server_error(), Fault.error(401, "Unauthorized"), Fault.disconnect()):
                api.inject(fault, "sendMessage")
                api.user_sends_text(citizen, LOST_BIRTH_CERTIFICATE)
                await api.wait_for_calls("sendMessage", len(api.calls("sendMessage")) + 1, timeout=10)
                await api.wait_until_delivered(timeout=10)
            api.inject(Fault.bad_gateway(), "getUpdates")
            api.user_sends_text(citizen, LOST_BIRTH_CERTIFICATE)
            await api.wait_until_delivered(timeout=15)
            await asyncio.sleep(0.5)
        log = live.stderr()
        secret = live.db.with_name("sabtyar.db.hash-secret").read_text().strip()
    assert live.process.returncode == 0, log
    assert "handling update" in log, log  # the errors were logged, with their tracebacks
    assert_no_secret(log, [api.token, secret])
    for message in api.sent():
        assert_no_secret(message.text or "", [api.token, secret])


async def test_a_rejected_token_at_startup_is_reported_without_it(tmp_path: Path) -> None:
    async with FakeBotApi("bale") as api:
        config = write_config(tmp_path, api)
        real, api.token = api.token, "1:AnotherTokenTheServerExpects"
        code, out, err = await sabtyar("run", config=config)
    assert code == 1 and "cannot start" in err, err
    secret = (tmp_path / "sabtyar.db.hash-secret").read_text().strip()
    assert_no_secret(out + err, [real, secret])


# Webhooks ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def listening(port: int, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.05)
        else:
            writer.close()
            await writer.wait_closed()
            return


async def test_webhook_without_the_secret_header_gets_403(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    secret = "webhook_Secret-0123456789"
    async with FakeBotApi("telegram") as api:
        port = free_port()
        url = f"http://127.0.0.1:{port}/hook"
        platform = replace(
            platform_for(api), webhook=WebhookSettings(url=url, port=port, secret=Secret(secret))
        )
        settings = replace(Settings(), store=StoreSettings(tmp_path / "bot.db"))
        shared = Shared(settings, engine, locales, UserHasher("webhook-tests-hash-secret"))
        stop = asyncio.Event()
        task = asyncio.create_task(serve(shared, [platform], stop))
        try:
            await api.wait_for_calls("setWebhook", timeout=10)
            assert api.calls("setWebhook")[0].params["secret_token"] == secret
            citizen = api.create_user()
            update = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": citizen.id, "type": "private"},
                    "from": citizen.to_dict(),
                    "text": "/start",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                },
            }
            async with aiohttp.ClientSession() as session:
                await listening(port)
                for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: secret[:-1]}):
                    async with session.post(url, json=update, headers=headers) as response:
                        assert response.status == 403
                await api.expect_no_messages(citizen.id, within=0.3)
                async with session.post(url, json=update, headers={SECRET_HEADER: secret}) as response:
                    assert response.status == 200
            await api.wait_for_messages(citizen.id, timeout=10)
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)


# Masking ------------------------------------------------------------------------------------------


def national_code(rng: random.Random) -> str:
    while True:
        digits = [rng.randrange(10) for _ in range(9)]
        remainder = sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        code = "".join(map(str, digits)) + str(remainder if remainder < 2 else 11 - remainder)
        if len(set(code)) > 1:
            return code


def test_a_thousand_valid_national_codes_are_masked_in_every_alphabet() -> None:
    rng = random.Random(1403)
    codes = {national_code(rng) for _ in range(1_000)}
    assert len(codes) == 1_000
    for code in codes:
        assert is_valid_national_code(code)
        dashed = f"{code[:3]}-{code[3:9]}-{code[9]}"
        for form in (
            code,
            code.translate(PERSIAN),
            code.translate(ARABIC),
            dashed,
            dashed.translate(PERSIAN),
        ):
            for text in (form, f"کد ملی من {form} است", f"کدملی:{form}،لطفا", f"my code is {form}."):
                masked = mask_personal_data(text)
                assert form not in masked and (NATIONAL_CODE_MASK in masked or PHONE_MASK in masked), text
                assert masked.replace(NATIONAL_CODE_MASK, "").replace(PHONE_MASK, "") == text.replace(
                    form, ""
                )


def phone_forms(rng: random.Random) -> list[str]:
    operator = rng.choice(["912", "935", "901", "919", "990", "921"])
    a, b, c = f"{rng.randrange(1000):03d}", f"{rng.randrange(100):02d}", f"{rng.randrange(100):02d}"
    city, line = rng.choice(["21", "31", "51", "71", "41"]), f"{rng.randrange(10**8):08d}"
    return [
        f"0{operator}{a}{b}{c}",
        f"0{operator} {a} {b}{c}",
        f"0{operator}-{a}-{b}{c}",
        f"0{operator} {a} {b} {c}",
        f"+98{operator}{a}{b}{c}",
        f"+98 {operator} {a} {b}{c}",
        f"0098{operator}{a}{b}{c}",
        f"{operator}{a}{b}{c}",
        f"0{city}{line}",
        f"0{city}-{line}",
        f"+98 {city} {line[:4]} {line[4:]}",
        f"(0{city}) {line}",
    ]


def test_common_phone_formats_are_masked_in_persian_and_latin_digits() -> None:
    rng = random.Random(9)
    for _ in range(200):
        for form in phone_forms(rng):
            for digits in (form, form.translate(PERSIAN), form.translate(ARABIC)):
                for text in (digits, f"شماره‌ام {digits} هست", f"call me at {digits}, thanks"):
                    masked = mask_personal_data(text)
                    # a bare ten-digit mobile may also be a valid national code: either mask will do
                    assert (PHONE_MASK in masked or NATIONAL_CODE_MASK in masked) and digits not in masked, (
                        text
                    )
                    rest = masked.replace(PHONE_MASK, "").replace(NATIONAL_CODE_MASK, "")
                    assert rest == text.replace(digits, ""), text


def test_ordinary_numbers_are_not_masked() -> None:
    for text in ("سال ۱۴۰۳", "هزینه ۲۵۰۰۰۰ تومان", "کد رهگیری 123456", "1234567890", "0000000000"):
        assert mask_personal_data(text) == text


# No raw messenger id at rest -----------------------------------------------------------------------


async def test_database_and_reports_hold_no_raw_messenger_id(tmp_path: Path) -> None:
    async with FakeBotApi("telegram") as api:
        async with live_bot(tmp_path, api) as live:
            citizens = [api.create_user(f"C{i}", user_id=880_000_000 + 7_919 * i) for i in range(5)]
            for citizen in citizens:
                api.user_sends_text(citizen, LOST_BIRTH_CERTIFICATE)
                [shown] = await api.wait_for_messages(citizen.id, timeout=10)
                rating = next(
                    b["callback_data"] for b in shown.buttons if b.get("callback_data", "").startswith("r:")
                )
                thanked = len(api.callback_answers)
                api.user_presses_button(citizen, shown, rating)
                await api.wait_for_callback_answers(thanked + 1, timeout=10)
        assert live.process.returncode == 0, live.stderr()
        outputs = []
        for fmt in ("json", "csv", "xlsx"):
            out = tmp_path / f"report.{fmt}"
            code, _stdout, err = await sabtyar(
                "report", "--format", fmt, "--out", str(out), config=live.config
            )
            assert code == 0, err
            outputs.append(out)
    blobs = [p.read_bytes() for p in tmp_path.glob("sabtyar.db*") if not p.name.endswith("hash-secret")]
    for out in outputs:
        if out.suffix == ".xlsx":
            with zipfile.ZipFile(out) as book:
                blobs += [book.read(name) for name in book.namelist()]
        else:
            blobs.append(out.read_bytes())
    assert live.rows("SELECT count(*) FROM ratings") == [(5,)]
    for citizen in citizens:
        for form in (str(citizen.id), str(citizen.id).translate(PERSIAN)):
            assert not any(form.encode() in blob for blob in blobs), citizen.id

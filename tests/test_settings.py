"""Settings: the platform sections, secrets that never print, the env overrides, clear errors."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.hash_secret import hash_secret_file, user_hash_secret
from bot.secret import Secret
from bot.settings import ROOT, ConfigError, Settings, load_settings

TOKEN = "123:TEST"


def load(tmp_path: Path, text: str, **environ: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, required=True, environ=environ)


def test_example_config_loads_and_matches_the_defaults() -> None:
    example = load_settings(ROOT / "config.example.toml", required=True, environ={})
    defaults = Settings()
    assert example.platforms == defaults.platforms
    assert example.store == defaults.store and example.flood == defaults.flood
    assert example.privacy == defaults.privacy and example.engine == defaults.engine
    assert example.monitoring == defaults.monitoring and example.privacy.retention_days == 180
    assert example.active_platforms == ()
    assert example.unconfirmed_replies == defaults.unconfirmed_replies == 10


def test_monitoring_and_retention_are_read_and_checked(tmp_path: Path) -> None:
    settings = load(tmp_path, "[monitoring]\nenabled = true\nport = 9999\n[privacy]\nretention_days = 30\n")
    assert settings.monitoring.enabled and settings.monitoring.port == 9999
    assert settings.monitoring.listen == "127.0.0.1" and settings.privacy.retention_days == 30
    with pytest.raises(ConfigError, match=r"\[monitoring\] port must be a whole number"):
        load(tmp_path, "[monitoring]\nport = 0\n")
    with pytest.raises(ConfigError, match=r"\[monitoring\] needs \[general\] workers = 1"):
        load(tmp_path, "[general]\nworkers = 2\n[monitoring]\nenabled = true\n")
    with pytest.raises(ConfigError, match=r"\[privacy\] retention_days"):
        load(tmp_path, "[privacy]\nretention_days = -1\n")


def test_platform_defaults(tmp_path: Path) -> None:
    settings = load(tmp_path, "")
    bale, telegram = settings.platform("bale"), settings.platform("telegram")
    assert (bale.base_url, bale.base_file_url) == (
        "https://tapi.bale.ai/bot",
        "https://tapi.bale.ai/file/bot",
    )
    assert not bale.parse_mode_supported and not bale.webhook_secret_supported
    assert telegram.base_url == "https://api.telegram.org/bot" and telegram.parse_mode_supported
    assert settings.active_platforms == ()


def test_tokens_from_file_and_environment_never_print(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        f'[platforms.telegram]\ntoken = "{TOKEN}"\n[platforms.bale]\nenabled = false\n',
        SABTYAR_BALE_TOKEN="456:BALE",
    )
    telegram, bale = settings.platform("telegram"), settings.platform("bale")
    assert telegram.token is not None and telegram.token.reveal() == TOKEN
    assert bale.token is not None and bale.token.reveal() == "456:BALE"
    assert [p.name for p in settings.active_platforms] == ["telegram"]  # bale disabled
    shown = f"{settings!r} {settings} {telegram.token} {telegram.token:>20}"
    assert TOKEN not in shown and "456:BALE" not in shown and "***" in shown
    env = load(tmp_path, f'[platforms.telegram]\ntoken = "{TOKEN}"\n', SABTYAR_TELEGRAM_TOKEN="9:ENV")
    assert env.platform("telegram").token == Secret("9:ENV")


def test_no_file_still_reads_the_environment(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.toml", environ={"SABTYAR_BALE_TOKEN": TOKEN})
    assert [p.name for p in settings.active_platforms] == ["bale"]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[platforms.telegram]\nbase_url = "ftp://x"\n', "[platforms.telegram] base_url"),
        ('[platforms.bale]\nenabled = "yes"\n', "[platforms.bale] enabled"),
        ('[platforms.bale]\ncolour = "blue"\n', "[platforms.bale] unknown key(s): colour"),
        ('[platforms.whatsapp]\ntoken = "1:a"\n', "[platforms] unknown key(s): whatsapp"),
        ("[platforms.bale.webhook]\nport = 70000\n", "[platforms.bale.webhook] port"),
        ('[platforms.telegram.webhook]\nsecret = "has space"\n', "[platforms.telegram.webhook] secret"),
        ('[platforms.telegram.webhook]\nurl = "nope"\n', "[platforms.telegram.webhook] url"),
        ('[store]\npath = ""\n', "[store] path"),
        ("[flood]\nmessages = 0\n", "[flood] messages"),
        ('[flood]\nwindow_seconds = "10"\n', "[flood] window_seconds"),
        ('[privacy]\nuser_hash_secret = "short"\n', "[privacy] user_hash_secret"),
        ("[privacy]\nuser_hash_secret = 12345678901234567\n", "[privacy] user_hash_secret"),
        ("[general]\nworkers = 0\n", "[general] workers"),
        ('[general]\nworkers = "2"\n', "[general] workers"),
        ("[general]\nunconfirmed_replies = 0\n", "[general] unconfirmed_replies"),
        ('[platforms.telegram]\nhttp_client = "curl"\n', "[platforms.telegram] http_client"),
        ('[platforms.bale]\nrequest_body = "xml"\n', "[platforms.bale] request_body"),
        ("[store]\nbacklog = 0\n", "[store] backlog"),
        (
            f'[general]\nworkers = 2\n[platforms.telegram]\ntoken = "{TOKEN}"\n'
            '[platforms.telegram.webhook]\nurl = "https://x/tg"\n',
            "[general] workers",
        ),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert named in str(caught.value)


def test_bad_tokens_are_named_but_not_shown(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, '[platforms.bale]\ntoken = "secret value with spaces"\n')
    assert "[platforms.bale] token" in str(caught.value) and "secret value" not in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, "", SABTYAR_TELEGRAM_TOKEN="not/a token")
    assert "SABTYAR_TELEGRAM_TOKEN" in str(caught.value) and "not/a" not in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, "", SABTYAR_HASH_SECRET="tiny")
    assert "SABTYAR_HASH_SECRET" in str(caught.value) and "tiny" not in str(caught.value)


BALE_PATH = "Zq3-x8RkP0vW_4mYtB7nLc2sHd9FgJ5a"


def test_two_webhooks_on_one_port_are_refused(tmp_path: Path) -> None:
    text = "".join(
        f'[platforms.{name}]\ntoken = "{TOKEN}"\n[platforms.{name}.webhook]\nurl = "https://x/{name}"\n'
        for name in ("telegram", "bale")
    ).replace('url = "https://x/bale"', f'url = "https://x/{BALE_PATH}"\nport = 8443')
    with pytest.raises(ConfigError, match="same port"):
        load(tmp_path, text)


def test_paths_and_flood(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        '[store]\npath = "db/s.db"\n[flood]\nmessages = 3\nwindow_seconds = 2\n'
        '[platforms.telegram.webhook]\nurl = "https://bot.example.ir/tg/hook-7f"\nport = 9000\n',
    )
    assert settings.store.path == tmp_path / "db" / "s.db"
    assert (settings.flood.messages, settings.flood.window_seconds) == (3, 2.0)
    assert (settings.workers, settings.store.backlog) == (1, 10_000)
    tuned = load(
        tmp_path,
        "[general]\nworkers = 3\nunconfirmed_replies = 3\n[store]\nbacklog = 50\n"
        '[platforms.bale]\nhttp_client = "httpx"\n[platforms.telegram]\nrequest_body = "form"\n',
    )
    assert tuned.unconfirmed_replies == 3
    assert (tuned.workers, tuned.store.backlog, tuned.platform("bale").http_client) == (3, 50, "httpx")
    assert tuned.platform("telegram").http_client == "aiohttp"
    assert (tuned.platform("telegram").request_body, tuned.platform("bale").request_body) == ("form", "form")
    defaults = settings.platform("telegram").request_body, settings.platform("bale").request_body
    assert defaults == ("json", "form")  # Bale's JSON bodies unverified
    webhook = settings.platform("telegram").webhook
    assert webhook.url_path == "tg/hook-7f" and webhook.port == 9000


def test_hash_secret_from_config_env_or_a_private_file(tmp_path: Path) -> None:
    configured = load(tmp_path, '[privacy]\nuser_hash_secret = "0123456789abcdef"\n')
    assert user_hash_secret(configured).reveal() == "0123456789abcdef"
    env = load(tmp_path, "", SABTYAR_HASH_SECRET="from-the-environment")
    assert user_hash_secret(env).reveal() == "from-the-environment"

    generated = load(tmp_path, '[store]\npath = "data/s.db"\n')
    first = user_hash_secret(generated)
    path = hash_secret_file(generated.store.path)
    assert path == tmp_path / "data" / "s.db.hash-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert user_hash_secret(generated) == first and len(first.reveal()) >= 32
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left
    path.write_text("short\n")
    with pytest.raises(ConfigError, match="delete it"):
        user_hash_secret(generated)


def test_item10_a_full_width_slash_in_a_configured_url_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[platforms.bale]\nbase_url = "https://tapi.bale.ai\uff0fbot"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="base_url"):
        load_settings(config)

"""The deployment kit in deploy/: the systemd units pass ``systemd-analyze verify``, the container
file runs as a non-root user with the data folder as a volume (and builds where a container
engine runs), and the server config and the nginx example agree with each other."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.settings import ROOT, load_settings

DEPLOY = ROOT / "deploy"
VENV_SABTYAR = "/opt/sabtyar/venv/bin/sabtyar"


def instructions(text: str) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` of a container file, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_container_file_runs_sabtyar_as_a_non_root_user_with_the_data_volume() -> None:
    steps = instructions((DEPLOY / "Containerfile").read_text(encoding="utf-8"))
    final = steps[max(i for i, (word, _) in enumerate(steps) if word == "FROM") :]
    assert final[0] == ("FROM", "python:3.12-slim")
    users = [args for word, args in final if word == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0")
    assert ("VOLUME", '["/var/lib/sabtyar"]') in final
    assert ("ENTRYPOINT", '["sabtyar"]') in final and ("CMD", '["run"]') in final
    env = " ".join(args for word, args in final if word == "ENV")
    assert "SABTYAR_CONFIG=/etc/sabtyar/config.toml" in env
    # The config baked into the image keeps the database in the volume.
    copied = next(args for word, args in final if word == "COPY" and "config.server.toml" in args)
    assert copied.endswith("/etc/sabtyar/config.toml")
    server = load_settings(DEPLOY / "config.server.toml", required=True, environ={})
    assert server.store.path == Path("/var/lib/sabtyar/sabtyar.db")
    assert server.knowledge_dir == Path("/var/lib/sabtyar/knowledge")
    assert server.monitoring.enabled and server.monitoring.listen == "127.0.0.1"


def container_engine() -> str | None:
    for engine in ("docker", "podman"):
        if shutil.which(engine):
            probe = subprocess.run([engine, "info"], capture_output=True, text=True, timeout=60)
            if probe.returncode == 0:
                return engine
    return None


def base_images(containerfile: Path) -> list[str]:
    """The images the container file builds from (its ``FROM`` lines, stage names left out)."""
    lines = containerfile.read_text(encoding="utf-8").splitlines()
    return [line.split()[1] for line in lines if line.upper().startswith("FROM ")]


def test_the_container_file_names_its_base_image() -> None:
    assert base_images(DEPLOY / "Containerfile")[0].startswith("python:3.12")


@pytest.mark.slow
def test_container_file_builds() -> None:
    engine = container_engine()
    if engine is None:
        pytest.skip("no container engine runs here (docker/podman info failed): the build is not tried")
    for base in base_images(DEPLOY / "Containerfile"):
        have = subprocess.run([engine, "image", "inspect", base], capture_output=True, timeout=60)
        if have.returncode != 0:
            pulled = subprocess.run([engine, "pull", base], capture_output=True, text=True, timeout=600)
            if pulled.returncode != 0:  # a registry out of reach is this machine's, not the file's
                pytest.skip(f"the base image {base} cannot be pulled here: {pulled.stderr.strip()[-300:]}")
    built = subprocess.run(
        [engine, "build", "-f", str(DEPLOY / "Containerfile"), "-t", "sabtyar-test", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    user = subprocess.run(
        [engine, "run", "--rm", "--entrypoint", "id", "sabtyar-test", "-u"], capture_output=True, text=True
    )
    assert user.stdout.strip() not in ("", "0")


@pytest.mark.parametrize("unit", ["sabtyar.service", "sabtyar-backup.service", "sabtyar-backup.timer"])
def test_systemd_units_verify(unit: str, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is missing (apt-get install -y systemd): the units are not verified")
    # verify checks that ExecStart's program exists: point it at this environment's sabtyar.
    program = Path(sys.executable).with_name("sabtyar")
    for name in ("sabtyar.service", "sabtyar-backup.service", "sabtyar-backup.timer"):
        text = (DEPLOY / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(VENV_SABTYAR, str(program)), encoding="utf-8")
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / unit)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Unknown" not in result.stderr and "ignoring" not in result.stderr, result.stderr


def test_the_service_unit_is_hardened_and_restarts() -> None:
    service = (DEPLOY / "sabtyar.service").read_text(encoding="utf-8")
    settings = dict(
        line.split("=", 1) for line in service.splitlines() if "=" in line and not line.startswith("#")
    )
    assert settings["User"] == "sabtyar" and settings["StateDirectory"] == "sabtyar"
    assert settings["Restart"] == "on-failure" and settings["ExecStart"] == f"{VENV_SABTYAR} run"
    for option in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "RestrictSUIDSGID"):
        assert settings[option] == "yes", option
    assert settings["ProtectSystem"] == "strict" and settings["CapabilityBoundingSet"] == ""


def test_nginx_example_forwards_the_webhook_paths_of_the_server_config() -> None:
    nginx = (DEPLOY / "nginx-sabtyar.conf").read_text(encoding="utf-8")
    server = (DEPLOY / "config.server.toml").read_text(encoding="utf-8")
    commented = [line[2:] for line in server.splitlines() if re.match(r"# (\[|url =|port =)", line)]
    webhooks = tomllib.loads("\n".join(commented))  # the webhook sections, uncommented
    for name in ("telegram", "bale"):
        webhook = webhooks["platforms"][name]["webhook"]
        path = "/" + webhook["url"].split("/", 3)[3]
        blocks = re.findall(r"location (\S+) \{([^}]*)\}", nginx)
        location = max(
            (b for b in blocks if path.startswith(b[0])), key=lambda b: len(b[0])
        )  # as nginx picks
        assert f"proxy_pass http://127.0.0.1:{webhook['port']};" in location[1]


@pytest.mark.slow  # one sabtyar process (the CLI's imports): about 3 s
def test_the_backup_unit_keeps_14_copies_with_their_secret_and_knowledge(tmp_path: Path) -> None:
    """The backup service's own command line, run by sh: a new copy, the oldest ones removed with
    the files that go with them."""
    unit = (DEPLOY / "sabtyar-backup.service").read_text(encoding="utf-8")
    [command] = [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert command.startswith("/bin/sh -c '") and command.endswith("'")
    backups = tmp_path / "backups"
    script = (
        command.removeprefix("/bin/sh -c '")
        .removesuffix("'")
        .replace("%%", "%")  # systemd's escape
        .replace(VENV_SABTYAR, f"{sys.executable} -m bot.cli.main")
        .replace("/var/backups/sabtyar", str(backups))
    )
    state = tmp_path / "state"
    (state / "knowledge" / ".shipped").mkdir(parents=True)
    (state / "knowledge" / "birth.yaml").write_text("entries: []\n", encoding="utf-8")
    with sqlite3.connect(state / "sabtyar.db") as db:
        db.execute("CREATE TABLE t (x)")
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\npath = "{state / "sabtyar.db"}"\n', encoding="utf-8")
    backups.mkdir()
    for day in range(1, 16):  # 15 older copies, each with its secret and knowledge
        for suffix in ("", ".hash-secret", ".knowledge.tar.gz"):
            old = backups / f"sabtyar-202601{day:02d}-0330.db{suffix}"
            old.write_text("old", encoding="utf-8")
            os.utime(old, (day * 86_400, day * 86_400))
    env = {**os.environ, "SABTYAR_CONFIG": str(config)}
    done = subprocess.run(["/bin/sh", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    kept = sorted(p.name for p in backups.glob("sabtyar-*.db"))
    assert len(kept) == 14 and kept[0] == "sabtyar-20260103-0330.db"  # the new one and the 13 newest
    assert {p.name.removesuffix(".hash-secret") for p in backups.glob("*.hash-secret")} <= set(kept)
    archives = {p.name.removesuffix(".knowledge.tar.gz") for p in backups.glob("*.knowledge.tar.gz")}
    assert archives == set(kept)  # the new copy's archive made, the removed copies' ones gone


def self_signed(folder: Path) -> None:
    """``fullchain.pem`` and ``privkey.pem`` for bot.example.ir in ``folder``."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bot.example.ir")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def test_nginx_example_passes_nginx_t(tmp_path: Path) -> None:
    """``nginx -t`` as README step 6 runs it, on the nginx installed here (Debian 12: 1.22)."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is missing (apt-get install -y nginx): the example is not checked")
    self_signed(tmp_path)
    site = (DEPLOY / "nginx-sabtyar.conf").read_text(encoding="utf-8")
    (tmp_path / "site.conf").write_text(
        site.replace("/etc/letsencrypt/live/bot.example.ir", str(tmp_path)), encoding="utf-8"
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("runuser") is None, reason="root with runuser only")
def test_the_admin_command_runs_sabtyar_as_the_bot_user_with_the_service_config() -> None:
    """``deploy/sabtyar-admin.sh`` (installed as /usr/local/bin/sabtyar): what root types runs as
    the bot's user (here ``nobody``) with the unit's SABTYAR_CONFIG and cache."""
    env = {
        "PATH": os.environ["PATH"],
        "SABTYAR": "/usr/bin/env",  # stands in for the program: prints who and what it got
        "SABTYAR_USER": "nobody",
    }
    done = subprocess.run(
        [
            "/bin/sh",
            str(DEPLOY / "sabtyar-admin.sh"),
            "sh",
            "-c",
            'id -u; echo "$SABTYAR_CONFIG $SABTYAR_CACHE_DIR"',
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    uid, paths = done.stdout.splitlines()
    assert uid != "0"
    assert paths == "/etc/sabtyar/config.toml /var/cache/sabtyar"
    service = (DEPLOY / "sabtyar.service").read_text(encoding="utf-8")
    assert "Environment=SABTYAR_CONFIG=/etc/sabtyar/config.toml" in service
    assert "Environment=SABTYAR_CACHE_DIR=/var/cache/sabtyar" in service


def test_the_readme_deploy_section_names_the_kit_as_it_is() -> None:
    """Every ``deploy/`` file the README's Deploy section names exists, and every file of the kit
    is named there (an officer follows only that section)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## Deploy\n") : readme.index("\n### Monitoring\n")]
    named = set(re.findall(r"deploy/([\w.*-]+)", section))
    kit = {path.name for path in DEPLOY.iterdir()}
    for name in named:
        assert [k for k in kit if Path(k).match(name)], f"README names deploy/{name}, which is not in the kit"
    unnamed = {k for k in kit if not any(Path(k).match(name) for name in named)}
    assert unnamed == set(), f"not explained in README, Deploy: {unnamed}"

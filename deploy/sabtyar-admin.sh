#!/bin/sh
# `sabtyar` for the server's administrator (see README, "Deploy"). Install it as the command:
#   install -m 0755 /opt/sabtyar/src/deploy/sabtyar-admin.sh /usr/local/bin/sabtyar
# Then `sabtyar doctor`, `sabtyar backup FILE`, `sabtyar restore FILE`, `sabtyar stats` ... run
# as the bot's user (so whatever they write stays the bot's), with the service's configuration,
# tokens and cache: the same files the systemd unit gives `sabtyar run`.
set -eu
SABTYAR=${SABTYAR:-/opt/sabtyar/venv/bin/sabtyar}
SABTYAR_USER=${SABTYAR_USER:-sabtyar}
export SABTYAR_CONFIG="${SABTYAR_CONFIG:-/etc/sabtyar/config.toml}"
export SABTYAR_CACHE_DIR="${SABTYAR_CACHE_DIR:-/var/cache/sabtyar}"
if [ -r /etc/sabtyar/sabtyar.env ]; then
    set -a
    . /etc/sabtyar/sabtyar.env
    set +a
fi
cd /var/lib/sabtyar 2>/dev/null || cd /
if [ "$(id -u)" -eq 0 ]; then
    exec runuser -u "$SABTYAR_USER" -- "$SABTYAR" "$@"
fi
exec "$SABTYAR" "$@"

"""Run the fake Bot API as a process: ``python -m tests.support.fakeapi --port 0 --profile bale``.

Prints the bound port on the first line of stdout (then ``base_url`` and ``token`` lines) and
serves until SIGINT/SIGTERM. The simulation API is only available in-process. ``--fail-every 7
--faults 500,disconnect`` fails one call in 7 (see ``FakeBotApi.fail_every``).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from .faults import FAULTS_BY_NAME
from .profiles import PROFILES
from .server import DEFAULT_TOKEN, FakeBotApi

__all__ = ["main"]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.support.fakeapi", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="telegram")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--bot-username", default="sabtyar_test_bot")
    parser.add_argument("--fail-every", type=int, default=0, help="fail one call in N (0: never)")
    parser.add_argument(
        "--faults",
        default="500,disconnect",
        help=f"the faults of --fail-every, in turn, of: {', '.join(FAULTS_BY_NAME)}",
    )
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with FakeBotApi(
        args.profile,
        token=args.token,
        bot_username=args.bot_username,
        host=args.host,
        port=args.port,
    ) as api:
        if args.fail_every:
            api.fail_every(args.fail_every, [FAULTS_BY_NAME[name] for name in args.faults.split(",")])
        print(api.port, flush=True)
        print(f"base_url={api.base_url}", flush=True)
        print(f"token={api.token}", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    asyncio.run(_serve(_parse(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

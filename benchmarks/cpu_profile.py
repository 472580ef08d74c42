"""Run a Python script under cProfile timed in CPU seconds of the main thread, not wall seconds.

``python -m cProfile`` times with the wall clock: a commit waiting for the disk, or a thread
waiting for the GIL, shows as that function's cost. For the load benchmark's question, what
costs the bot CPU, this launcher times with ``time.thread_time`` (the main thread, where the
event loop, the handlers and the engine run), and writes the stats when the script ends.

    python benchmarks/cpu_profile.py OUT.prof SCRIPT [ARGS...]
"""

from __future__ import annotations

import cProfile
import runpy
import sys
import time


def main() -> None:
    out, script = sys.argv[1], sys.argv[2]
    sys.argv = sys.argv[2:]
    profile = cProfile.Profile(time.thread_time)
    profile.enable()
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        profile.disable()
        profile.dump_stats(out)


if __name__ == "__main__":
    main()

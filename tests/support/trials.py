"""Long trials: a sample in CI, the full size on demand.

``make trials`` (``SABTYAR_FULL_TRIALS=1``) runs the slow tests at the sizes their requirements
name (10,000 hostile updates, a broadcast to 1,000 subscribers, every test question through hazm's
own parts); CI and ``make test`` run the same tests on a sample, so a defect of the kind still
shows while the suite stays within its time.
"""

from __future__ import annotations

import os

__all__ = ["FULL_TRIALS", "full_trials", "trial_size"]

FULL_TRIALS = "SABTYAR_FULL_TRIALS"


def full_trials() -> bool:
    """Whether this run is the on-demand full-size one."""
    return os.environ.get(FULL_TRIALS) == "1"


def trial_size(full: int, sample: int) -> int:
    """``full`` in a full run, else ``sample``."""
    return full if full_trials() else sample

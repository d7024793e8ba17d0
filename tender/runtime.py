"""Process-wide settings, for the programs that own their process: the CLI and ``bench``.

Library callers (tests, a notebook, a web service) keep their own settings: nothing here
runs on import.
"""

from __future__ import annotations

import gc

__all__ = ["tune_garbage_collector"]


def tune_garbage_collector() -> None:
    """Turn off the cyclic garbage collector for the rest of the command.

    A command builds millions of objects that live to its end (rows, scored bids, the award
    problem) and makes little cyclic garbage; reference counting still frees all garbage
    that is not in a cycle. With Python's default thresholds the collector took about 5 s of 24 s of
    ``tender award`` at 1000 lots x 500 bidders; with thresholds of (100,000, 50, 100) it
    still walked the young objects in every phase: 2.2 s of 16.8 s there, and about 4 s of
    the 30 s before the first solve at 2000 x 1000. Off, the peak memory of ``award`` (1000 x
    500), ``explain`` (300 x 150, a re-solve per rule) and ``report`` (HTLAH) was the same
    within 1%. Worker processes (spawned) keep Python's default.
    """
    gc.disable()

"""Timing shared by the benchmarks: best and median of repeats, garbage collector paused."""

from __future__ import annotations

import gc
import statistics
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


def best(function: Callable[[], object], repeats: int, number: int) -> tuple[float, float]:
    """Best and median seconds per call over ``repeats`` runs of ``number`` calls (as timeit)."""
    timings = []
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            for _ in range(number):
                function()
            timings.append((time.perf_counter() - start) / number)
        finally:
            gc.enable()
    return min(timings), statistics.median(timings)

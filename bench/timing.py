"""Timing and reporting helpers shared by the benchmarks."""

import gc
import time
from collections.abc import Callable


class BenchmarkFailed(Exception):
    """Raised by a benchmark whose correctness check fails; the runner then exits non-zero."""


def best_of(fn: Callable[[], object], repeats: int = 3) -> float:
    """Fastest of `repeats` wall-clock runs in seconds: the minimum is the least noisy estimate."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def rate(count: int, seconds: float) -> str:
    """Throughput as a right-aligned `points/s` figure with thousands separators."""
    return f"{count / seconds:>13,.0f} points/s"

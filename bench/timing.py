"""Timing and reporting helpers shared by the benchmarks."""

import gc
import statistics
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


def requests_timed(send: Callable[[], object], requests: int) -> tuple[float, float, float]:
    """`send()` `requests` times in a row: (requests per second, p50 ms, p95 ms)."""
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        send()
        samples.append(time.perf_counter() - start)
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return requests / sum(samples), statistics.median(samples) * 1000, p95 * 1000

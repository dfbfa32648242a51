"""Run benchmarks: `python -m bench` runs all `bench/bench_*.py`, `python -m bench NAME ...` some.

Each module's `run()` prints its own figures; a `BenchmarkFailed` or any other error marks it
failed, the others still run, and the exit status is non-zero.
"""

import importlib
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

import django

# Benchmarked modules import Django models at import time; no database access is needed.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citygrid.settings")
django.setup()

from bench.timing import BenchmarkFailed  # noqa: E402

PREFIX = "bench_"


def available() -> list[str]:
    """Benchmark names (module names without the `bench_` prefix), sorted."""
    modules = pkgutil.iter_modules([str(Path(__file__).parent)])
    return sorted(m.name.removeprefix(PREFIX) for m in modules if m.name.startswith(PREFIX))


def main(argv: list[str]) -> int:
    names = available()
    chosen = [arg.removeprefix(PREFIX) for arg in argv] or names
    unknown = [name for name in chosen if name not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(names)}")
        return 2
    print("CityGrid benchmarks: ratios compare with baselines measured in this same run.")
    failed = []
    for name in chosen:
        module = importlib.import_module(f"bench.{PREFIX}{name}")
        summary = (module.__doc__ or "").strip().splitlines()[0:1]
        print(f"\n=== {name}: {summary[0] if summary else ''}")
        start = time.perf_counter()
        try:
            module.run()
        except BenchmarkFailed as error:
            failed.append(name)
            print(f"FAILED: {error}")
        except Exception:
            failed.append(name)
            traceback.print_exc()
        print(
            f"=== {name}: {'FAILED' if name in failed else 'ok'} "
            f"in {time.perf_counter() - start:.1f} s"
        )
    if failed:
        print(f"\n{len(failed)} of {len(chosen)} benchmark(s) failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

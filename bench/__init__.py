"""CityGrid benchmarks: `python -m bench [name ...]` runs every `bench_*.py` module's `run()`.

Speed is reported as ratios against baselines measured in the same run, never as absolute
timed assertions, because machines are noisy; see bench/README.md.
"""

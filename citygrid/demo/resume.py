"""Checkpoints of the demo people generator, committed with each batch it writes.

A batch's rows and the checkpoint saying "continue at grid N with this state" are committed in
one transaction: after an interruption (Ctrl-C, a lost connection, a full disk) the last
committed checkpoint matches exactly what is in the database, and a re-run continues from it
with the same random state, so the result equals an uninterrupted run for the same seed.
"""

from __future__ import annotations

import pickle
from datetime import date

from citygrid.demo.models import SeedProgress


class ResumeMismatch(ValueError):
    """An unfinished run exists for this city with other parameters."""


def unfinished(city_code: str) -> SeedProgress | None:
    return SeedProgress.objects.filter(city_code=city_code, finished=False).first()


def open_run(
    city_code: str, seed: int, target: int, today: date, *, restart: bool = False
) -> SeedProgress:
    """The run to continue (unfinished, same seed and size) or a fresh one.

    A finished run is replaced: generating people again into the same city is a new run; so is
    any run when `restart` (a city just generated has no people to continue from).
    """
    run = SeedProgress.objects.filter(city_code=city_code).first()
    if run is not None and not run.finished and not restart:
        if (run.seed, run.target) != (seed, target):
            raise ResumeMismatch(
                f"城市 {city_code} 有一次未完成的人口生成（随机种子 {run.seed}、"
                f"人口 {run.target}，已提交 {run.persons} 人），请用相同参数重新运行以继续。"
            )
        return run
    run = run or SeedProgress(city_code=city_code)
    run.seed, run.target, run.today = seed, target, today
    run.next_grid = run.persons = 0
    run.state, run.finished = None, False
    run.save()
    return run


def save(run: SeedProgress, next_grid: int, persons: int, state: dict, finished: bool) -> None:
    """Record a committed batch; call inside the batch's transaction."""
    run.next_grid, run.persons, run.finished = next_grid, persons, finished
    run.state = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    run.save(update_fields=["next_grid", "persons", "state", "finished", "updated"])


def load(run: SeedProgress) -> dict | None:
    # The state was pickled by this module into a row of this database, never from outside.
    return pickle.loads(bytes(run.state)) if run.state else None  # noqa: S301

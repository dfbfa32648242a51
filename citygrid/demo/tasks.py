"""Patrol tasks (巡查任务) for the demo grid worker: a week of them, done and to do, so the grid
app's task list has something to show on the first login."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

import shapely
from django.utils import timezone
from shapely.geometry import shape

from citygrid.accounts.models import User
from citygrid.cases.choices import TaskKind, TaskStatus
from citygrid.cases.models import Task
from citygrid.core import writeguard
from citygrid.regions.choices import WorkerRole
from citygrid.regions.models import GridWorker

# (title, frequency, result when done)
PATROLS: tuple[tuple[str, str, str], ...] = (
    ("日常巡查", "每日一次", "巡查完毕，未发现新问题"),
    ("出租屋消防安全巡查", "每周一次", "检查出租屋 6 户，发现 1 处楼道堆物，已现场督促清理"),
    ("重点人员走访巡查", "每周一次", "走访 3 人，情况稳定"),
    ("沿街店铺门前三包巡查", "每日一次", "发现 2 处店外经营，已劝导整改"),
    ("背街小巷环境卫生巡查", "每日一次", "巡查完毕，卫生状况良好"),
)
CHECKPOINT_NAMES = ("小区东门", "社区服务站", "农贸市场", "主干道路口", "小区西门", "健身广场")
DAYS_BACK, DAYS_AHEAD = 5, 4  # done tasks on the past days, open ones from today on


def _checkpoints(boundary, rng: random.Random, n: int) -> list[dict]:
    """`n` named points inside the grid, for the worker to check in at."""
    if not boundary:
        return []
    polygon = shape(boundary)
    minx, miny, maxx, maxy = polygon.bounds
    points = []
    for _ in range(200):
        if len(points) == n:
            break
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(polygon, x, y):
            points.append((round(x, 6), round(y, 6)))
    names = rng.sample(CHECKPOINT_NAMES, len(points))
    return [{"name": name, "lng": x, "lat": y} for name, (x, y) in zip(names, points, strict=True)]


@writeguard.unlogged()
def create_demo_patrols(seed: int, now: datetime | None = None) -> int:
    """Patrol tasks in the grid of every account holding a grid-worker post; returns how many.

    Written raw (the demo's past, like its cases): no change log."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(seed * 31 + 7)
    tasks = []
    posts = GridWorker.objects.filter(
        role=WorkerRole.GRID_WORKER, user__isnull=False
    ).select_related("region", "user")
    for post in posts.order_by("region__code", "pk"):
        user: User = post.user
        grid = post.region
        for offset in range(-DAYS_BACK, DAYS_AHEAD):
            day = today + timedelta(days=offset)
            title, frequency, result = PATROLS[(offset + DAYS_BACK) % len(PATROLS)]
            due = timezone.make_aware(datetime.combine(day, time(17, 30)))
            done = offset < 0
            tasks.append(
                Task(
                    kind=TaskKind.PATROL,
                    title=f"{grid.name}{title}",
                    region=grid,
                    region_code=grid.code,
                    assignee=user,
                    start_date=day,
                    end_date=day,
                    frequency=frequency,
                    checkpoints=_checkpoints(grid.boundary, rng, 3),
                    due_at=due,
                    status=TaskStatus.DONE if done else TaskStatus.OPEN,
                    result=result if done else "",
                    done_at=due - timedelta(minutes=rng.randint(30, 300)) if done else None,
                )
            )
    Task.objects.bulk_create(tasks)
    return len(tasks)

"""Demo boards (在线交流): the first county's board, its first township's and two of that
township's communities, each with a few topics and replies, and a pinned notice on the township
board. Written like the rest of the demo history: through the write path's validation, without
change-log rows, with times in the two weeks before `now`, all from `random.Random(seed)`.

Needs the demo accounts (`demo.regions.create_demo_accounts`): posts are by the accounts whose
territory covers the board, as they would be in use.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from citygrid.accounts.models import User
from citygrid.core import records, writeguard
from citygrid.exchange.models import Board, Reply, Topic
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

NOTICE = (
    "关于开展矛盾纠纷排查化解专项行动的通知",
    "各社区：\n本周起开展为期一个月的矛盾纠纷排查化解专项行动，请各社区于每周五前报送排查台账。"
    "\n联系人：街道综治中心",
)
TOPICS = (
    (
        "楼道堆物清理经验交流",
        "我们社区采用“楼栋长+网格员”包干的方式，两周清理了三十多处楼道堆物，欢迎交流做法。",
    ),
    ("出租屋信息登记遇到的问题", "部分房东不愿提供租客信息，大家是怎么沟通的？"),
    ("网格员每日巡查路线怎么安排更合理", "想请教一下各位，巡查路线按网格边界走还是按重点场所走？"),
    ("防汛物资清点情况", "本社区防汛沙袋、雨衣已清点完毕，缺少应急照明灯，请街道协调。"),
    ("独居老人走访记录的填写要求", "走访记录里“健康状况”一栏有统一的填写口径吗？"),
    ("两新组织党建工作座谈会安排", "拟于下周三下午召开辖区企业党建座谈会，请各社区推荐参会企业。"),
)
REPLIES = (
    "收到，已安排落实。",
    "我们社区也遇到过类似情况，可以先请物业协助沟通。",
    "建议按重点场所优先，兼顾网格边界。",
    "已转达相关负责人，稍后回复。",
    "感谢分享，值得学习。",
    "请于本周内将情况报街道。",
)


@dataclass
class DemoExchangeResult:
    boards: int
    topics: int
    replies: int


def _boards(city: Region) -> list[Region]:
    """The first county, its first township and that township's first two communities."""
    county = Region.objects.filter(level=RegionLevel.COUNTY, code__within=city.code).first()
    if county is None:
        return []
    township = Region.objects.filter(level=RegionLevel.TOWNSHIP, code__within=county.code).first()
    if township is None:
        return [county]
    communities = Region.objects.filter(level=RegionLevel.COMMUNITY, code__within=township.code)
    return [county, township, *communities[:2]]


def _authors(region: Region) -> list[User]:
    """The active demo accounts whose territory covers the board (superusers left out)."""
    users = User.objects.filter(is_active=True, is_superuser=False).prefetch_related(
        "scope_regions"
    )
    return [u for u in users.order_by("username") if u.covers(region.code)]


def _post(board: Board, author: User, title: str, body: str, at: datetime, pinned=False):
    topic = records.save_record(
        Topic(
            board=board, author=author, title=title, body=body, pinned=pinned, last_activity_at=at
        ),
        actor=None,
    )
    records.touch(Topic.objects.filter(pk=topic.pk), created=at)
    return topic


@transaction.atomic
@writeguard.unlogged()
def generate_demo_exchange(
    city: Region, *, seed: int, now: datetime | None = None
) -> DemoExchangeResult:
    """A few boards with topics, replies and a pinned notice, deterministic for a seed."""
    rng = random.Random(seed)
    now = now or timezone.now()
    result = DemoExchangeResult(0, 0, 0)
    texts = list(TOPICS)
    rng.shuffle(texts)
    for index, region in enumerate(_boards(city)):
        authors = _authors(region)
        if not authors:
            continue
        board = Board.objects.filter(region=region).first() or records.save_record(
            Board(region=region, name=f"{region.name}交流区"), actor=None
        )
        result.boards += 1
        topics = []
        if region.level == RegionLevel.TOWNSHIP:
            at = now - timedelta(days=13, hours=rng.randint(0, 8))
            topics.append(_post(board, authors[0], *NOTICE, at, pinned=True))
        for title, body in texts[(2 * index) % len(texts) :][:2]:
            at = now - timedelta(days=rng.randint(1, 12), minutes=rng.randint(0, 600))
            topics.append(_post(board, rng.choice(authors), title, body, at))
        last_activity = None
        for topic in topics:
            activity = topic.last_activity_at
            count = rng.randint(0, 3)
            for _ in range(count):
                activity = activity + timedelta(hours=rng.randint(1, 20))
                reply = records.save_record(
                    Reply(topic=topic, author=rng.choice(authors), body=rng.choice(REPLIES)),
                    actor=None,
                )
                records.touch(Reply.objects.filter(pk=reply.pk), created=min(activity, now))
            activity = min(activity, now)
            records.touch(
                Topic.objects.filter(pk=topic.pk), reply_count=count, last_activity_at=activity
            )
            result.replies += count
            last_activity = max(filter(None, (last_activity, activity)))
        records.touch(
            Board.objects.filter(pk=board.pk),
            topic_count=Topic.objects.filter(board=board).count(),
            last_activity_at=last_activity,
        )
        result.topics += len(topics)
    return result

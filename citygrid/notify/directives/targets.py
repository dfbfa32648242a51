"""To whom a directive goes: the people behind the sender's choice of targets, in SQL.

Three ways of naming them: regions with the levels below them ("every community under this
township"), named staff, and kinds other apps register (`register_target`): the organisation
types and organisations of 两新组织 come from neworgs this way, so notify never imports it.

Each recipient is placed in a region, the one the directive reached them through; a place
outside the sender's subtree refuses the whole directive.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from citygrid.accounts.models import User
from citygrid.core.errors import ActionError
from citygrid.core.querysets import scope_q
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

OUT_OF_SCOPE = "不能向管辖范围以外的区域下达指令"
# A registered resolver may annotate each user with the region it reaches them through (an
# organisation's account: the organisation's community); otherwise their own scope region.
PLACE_ANNOTATION = "directive_region_id"
# Levels a directive may be sent to: everything below the city.
TARGET_LEVELS = [
    (level.value, level.label)
    for level in RegionLevel
    if level not in (RegionLevel.CITY, RegionLevel.VILLAGE_GROUP)
]


@dataclass(frozen=True)
class TargetKind:
    kind: str
    label: str
    # (value, label) pairs the sender may choose from; with values, just those (to name them).
    choices: Callable[[User, list[str] | None], list[tuple[str, str]]]
    # The accounts behind the chosen values, restricted to the sender's scope.
    resolve: Callable[[User, list[str]], QuerySet]
    # For kinds too many to list (a city's organisations): matches of what is typed, 20 at most;
    # the form then searches as one types (`notify:directive_target_search`).
    search: Callable[[User, str], list[tuple[str, str]]] | None = None


KINDS: dict[str, TargetKind] = {}


def register_target(kind: str, label: str, choices, resolve, search=None) -> None:
    """Offer another way of naming recipients (called from an app's `ready()`)."""
    KINDS[kind] = TargetKind(kind, label, choices, resolve, search)


@dataclass
class Targets:
    """What the sender chose; `kinds` maps a registered kind to its chosen values."""

    regions: list[Region]
    levels: list[str]
    users: list[User]
    kinds: dict[str, list[str]]

    def describe(self, sender: User) -> list[dict]:
        """For the directive's page: to whom it went, as chosen."""
        labels = dict(RegionLevel.choices)
        rows = []
        if self.regions:
            names = [r.name for r in self.regions]
            levels = "、".join(labels[level] for level in self.levels)
            rows.append({"label": f"区域（{levels}）", "names": names})
        if self.users:
            rows.append({"label": "指定人员", "names": [str(u) for u in self.users]})
        for kind, values in self.kinds.items():
            if values:
                spec = KINDS[kind]
                choices = dict(spec.choices(sender, values))
                rows.append({"label": spec.label, "names": [choices.get(v, v) for v in values]})
        return rows


def can_send(user) -> bool:
    """The permission, and a territory at community level or above (a grid worker cannot)."""
    if not user.has_perm("notify.send_directive"):
        return False
    if user.is_superuser:
        return True
    return user.scope_regions.exclude(
        level__in=[RegionLevel.GRID, RegionLevel.VILLAGE_GROUP]
    ).exists()


def resolve(sender: User, targets: Targets) -> dict[int, int]:
    """recipient id → id of the region it reached them through; ActionError if any chosen
    region or recipient lies outside the sender's subtree (nothing is sent then)."""
    for region in targets.regions:
        if not sender.covers(region.code):
            raise ActionError("out_of_scope", OUT_OF_SCOPE, 403)
    places: dict[int, int] = {}
    if targets.regions:
        if not targets.levels:
            raise ActionError("no_levels", "请选择下达到哪些层级")
        through = User.scope_regions.through.objects.filter(
            scope_q("region__code", [r.code for r in targets.regions]),
            region__level__in=targets.levels,
            user__is_active=True,
        ).order_by("region__code")
        for user_id, region_id in through.values_list("user_id", "region_id"):
            places.setdefault(user_id, region_id)
    named = [u.pk for u in targets.users]
    for kind, values in targets.kinds.items():
        if values:
            found = KINDS[kind].resolve(sender, values).filter(is_active=True)
            if PLACE_ANNOTATION in found.query.annotations:
                for user_id, region_id in found.values_list("pk", PLACE_ANNOTATION):
                    places.setdefault(user_id, region_id)
            else:
                named += list(found.values_list("pk", flat=True))
    for user_id, region_id in _own_places(sender, named).items():
        places.setdefault(user_id, region_id)
    places.pop(sender.pk, None)
    codes = dict(Region.objects.filter(pk__in=set(places.values())).values_list("pk", "code"))
    if not all(sender.covers(codes[region_id]) for region_id in places.values()):
        raise ActionError("out_of_scope", OUT_OF_SCOPE, 403)
    if not places:
        raise ActionError("no_recipients", "所选对象下没有可接收指令的人员")
    return places


def _own_places(sender: User, user_ids: list[int]) -> dict[int, int]:
    """Named people are placed in their widest scope region; all of their territory must lie
    in the sender's subtree (someone who also works beside or above the sender is out of reach)."""
    rows = (
        User.scope_regions.through.objects.filter(user_id__in=user_ids)
        .order_by("region__code")
        .values_list("user_id", "region_id", "region__code")
    )
    places: dict[int, int] = {}
    codes: dict[int, list[str]] = {}
    for user_id, region_id, code in rows:
        places.setdefault(user_id, region_id)
        codes.setdefault(user_id, []).append(code)
    if set(user_ids) - set(places):
        raise ActionError("no_scope", "所选人员未配置管辖区域，无法下达指令")
    if not all(sender.covers(code) for own in codes.values() for code in own):
        raise ActionError("out_of_scope", "不能向管辖范围以外的人员下达指令", 403)
    return places

"""Changes made from the teams tree: add a member, move one, grant roles and scope.

Each raises `ActionError` (Chinese message) before writing anything when refused. Granting
writes the member's account through the accounts write path (`records.save_record` with the
`roles` and `scope_regions` many-to-many, as the user edit page does) and adds one rule the
user edit page leaves to its administrators: nobody hands out more than they hold — no role
with a permission the actor lacks, no region outside the actor's territory.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from citygrid.accounts.models import Role
from citygrid.core import records
from citygrid.core.errors import ActionError, RecordNotFound
from citygrid.orgs.choices import StaffSource
from citygrid.orgs.models import OrgUnit, Staff


def _require(actor, perm: str, what: str) -> None:
    if not actor.has_perm(perm):
        raise ActionError("forbidden", f"您没有{what}的权限", 403)


def _unit_in_scope(unit: OrgUnit, actor) -> None:
    if not OrgUnit.objects.in_scope(actor).filter(pk=unit.pk).exists():
        raise ActionError("unit_out_of_scope", f"单位“{unit}”不在您的管辖范围内", 403)


def _staff_in_scope(staff: Staff, actor) -> None:
    if not Staff.objects.restrict(actor, "view").filter(pk=staff.pk).exists():
        raise RecordNotFound()


def _validated(obj, actor):
    try:
        return records.save_record(obj, actor=actor)
    except ValidationError as exc:
        messages = [m for ms in exc.message_dict.values() for m in ms]
        raise ActionError("invalid", "；".join(messages), 400) from exc


def add_staff(unit: OrgUnit, *, actor, **fields) -> Staff:
    """Add a member to a unit in the actor's scope."""
    _require(actor, "orgs.add_staff", "添加成员")
    _unit_in_scope(unit, actor)
    return _validated(Staff(unit=unit, **fields), actor)


def move_staff(staff: Staff, unit: OrgUnit, *, actor) -> Staff:
    """Move a member to another unit; both ends must be in the actor's scope. Mirrored members
    follow their source (a grid worker moves with their grid in the grid-worker list)."""
    _require(actor, "orgs.change_staff", "调整成员")
    _staff_in_scope(staff, actor)
    _unit_in_scope(unit, actor)
    if staff.source != StaffSource.MANUAL:
        raise ActionError(
            "mirrored",
            f"该成员来自{staff.get_source_display()}，请在原处调整其所属网格或部门",
        )
    if unit.pk == staff.unit_id:
        raise ActionError("same_unit", "该成员已在此单位")
    staff.unit = unit
    return _validated(staff, actor)


def grantable_roles(actor):
    """The roles whose every permission the actor holds (all roles for a superuser)."""
    roles = Role.objects.prefetch_related("permissions__content_type").order_by("name")
    if actor.is_superuser:
        return list(roles)
    held = actor.get_all_permissions()
    sensitive = actor.can_view_sensitive()
    return [r for r in roles if _within(r, held, sensitive)]


def _within(role: Role, held: set[str], sensitive: bool) -> bool:
    if role.view_sensitive and not sensitive:
        return False
    return all(f"{p.content_type.app_label}.{p.codename}" in held for p in role.permissions.all())


def grant_access(staff: Staff, *, actor, roles, scope_regions) -> None:
    """Set the roles and scope regions of the member's account.

    Roles or regions the actor could not grant are refused whether added or taken away: a
    county officer neither promotes a member beyond themselves nor strips what a city
    administrator gave."""
    _require(actor, "orgs.grant_staff", "授予角色和管辖区域")
    _staff_in_scope(staff, actor)
    user = staff.user
    if user is None:
        raise ActionError("no_account", "该成员没有系统账号，不能授予角色")
    if user.pk == actor.pk and not actor.is_superuser:
        raise ActionError("self_grant", "不能为自己授予角色或管辖区域", 403)
    roles = set(roles)
    regions = set(scope_regions)
    current_roles = set(user.roles.all())
    current_regions = set(user.scope_regions.all())
    if not actor.is_superuser:
        allowed = set(grantable_roles(actor))
        beyond = sorted(r.name for r in (roles ^ current_roles) - allowed)
        if beyond:
            raise ActionError(
                "role_beyond_own",
                f"不能授予或撤销超出您自身权限的角色：{'、'.join(beyond)}",
                403,
            )
        outside = sorted(
            (r for r in regions ^ current_regions if not actor.covers(r.code)),
            key=lambda r: r.code,
        )
        if outside:
            names = "、".join(r.name for r in outside)
            raise ActionError(
                "scope_beyond_own", f"不能授予或撤销您管辖范围以外的区域：{names}", 403
            )
    with transaction.atomic():
        records.save_record(
            user, actor=actor, m2m={"roles": list(roles), "scope_regions": list(regions)}
        )

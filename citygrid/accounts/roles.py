"""The default roles every installation starts with, kept as data so they can be reviewed.

Roles say what a user may do; where comes from the user's scope regions, so one 区县调度员 role
serves every district. `ensure_default_roles` is safe to run again after an upgrade: it brings
the roles' permission sets back to these definitions.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q

from citygrid.accounts.models import Role
from citygrid.core import records


@dataclass(frozen=True)
class RoleSpec:
    name: str
    description: str
    view_sensitive: bool
    permissions: tuple[str, ...]  # "app_label.codename"


def _crud(app_label: str, model: str, actions: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{app_label}.{action}_{model}" for action in actions)


CITY_LEADER = "市级领导"
COUNTY_DISPATCHER = "区县调度员"
STREET_STAFF = "街道工作人员"
GRID_WORKER = "网格员"
SYSTEM_ADMIN = "系统管理员"
DEPARTMENT_HANDLER = "部门处置员"
INSPECTOR = "监督员"
POLITICAL_LEGAL_OFFICER = "政法综治专员"
ORGANISATION_HEAD = "两新组织负责人"

# Case configuration a dispatcher maintains: minor classes, departments, the dispatch matrix,
# time limits and the working calendar.
_CASE_SETTINGS = (
    "casecategory",
    "department",
    "dispatchrule",
    "timelimit",
    "calendarday",
    "workingperiod",
)

# The base data a street office and its grid workers keep: people, housing and the links between.
_BASE_DATA = (
    *_crud("people", "person", ("view", "add", "change", "import", "export")),
    *_crud("people", "residency", ("view", "add", "change")),
    *_crud("people", "vulnerablegroup", ("view", "add", "change")),
    *_crud("people", "carerecord", ("view", "add", "change")),
    *_crud("housing", "estate", ("view", "add", "change", "import", "export")),
    *_crud("housing", "building", ("view", "add", "change", "import", "export")),
    *_crud("housing", "house", ("view", "add", "change", "import", "export")),
    *_crud("housing", "rental", ("view", "add", "change", "confirm", "export")),
    *_crud("housing", "hazardcheck", ("view", "add", "change")),
)

# The teams tree (机构队伍) as everyone reads it.
_TEAMS_READ = ("orgs.view_orgunit", "orgs.view_staff")
# Keeping a level's teams: units, members, their staff files, and granting roles and territory
# (never beyond the granter's own: `orgs/actions.py`).
_TEAMS_KEEP = (
    *_crud("orgs", "orgunit", ("view", "add", "change", "export")),
    *_crud("orgs", "staff", ("view", "add", "change", "import", "export", "grant")),
)
# Social units and new organisations as a street office and its grid workers file them.
_ORGANISATIONS = (
    *_crud("units", "unit", ("view", "add", "change", "import", "export")),
    *_crud("units", "unitlicence", ("view", "add", "change", "delete")),
    *_crud("neworgs", "neworganisation", ("view", "add", "change", "import", "export")),
    *_crud("neworgs", "orgbranch", ("view", "add", "change", "delete")),
    *_crud("neworgs", "regulation", ("view", "add", "change", "delete")),
    *_crud("neworgs", "workrecord", ("view", "add", "change", "delete")),
)
_ORGANISATIONS_READ = (
    "units.view_unit",
    "units.view_unitlicence",
    "neworgs.view_neworganisation",
    "neworgs.view_orgbranch",
    "neworgs.view_regulation",
    "neworgs.view_workrecord",
)
_MONTHLY_REPORTS = _crud("neworgs", "monthlyreport", ("view", "submit", "remind"))
_DIRECTIVES = ("notify.view_directive", "notify.send_directive")
# The online exchange: reading and posting; moderators close, delete and pin.
_EXCHANGE = (
    *_crud("exchange", "board", ("view",)),
    *_crud("exchange", "topic", ("view", "add")),
    *_crud("exchange", "reply", ("view", "add")),
)
_EXCHANGE_MODERATE = (*_EXCHANGE, "exchange.change_topic", "exchange.pin_topic")

DEFAULT_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        CITY_LEADER,
        "查看全市区域网格、网格员、代码表、变更记录与事件（含督办、任务、走访），可导出；"
        "查看矛盾纠纷与纠纷报告，接收紧急纠纷上报；查看机构队伍、社会单位、两新组织与月报（可催报），"
        "下达指令，参与在线交流",
        False,
        (
            *_crud("regions", "region", ("view", "export")),
            *_crud("regions", "gridworker", ("view", "export")),
            *_crud("core", "dictionary", ("view",)),
            "core.view_dictitem",
            "core.view_objectchange",
            *_crud("cases", "case", ("view", "export")),
            "cases.view_supervisionorder",
            "cases.view_task",
            "cases.view_visit",
            "people.view_person",
            "housing.view_estate",
            "housing.view_building",
            "housing.view_house",
            "housing.view_rental",
            *_crud("disputes", "dispute", ("view", "export", "receive_urgent")),
            "disputes.view_disputereport",
            *_TEAMS_READ,
            *_ORGANISATIONS_READ,
            "units.export_unit",
            "neworgs.export_neworganisation",
            *_crud("neworgs", "monthlyreport", ("view", "remind")),
            *_DIRECTIVES,
            *_EXCHANGE,
        ),
    ),
    RoleSpec(
        COUNTY_DISPATCHER,
        "维护本区县的区域网格与网格员（含导入导出），查看变更记录；事件受理立案、派遣、结案、"
        "评价、审批延期、挂账、上报、督办与合并，维护分类、部门、派遣规则、时限与工作日历；"
        "矛盾纠纷登记、研判、分流交办、区县级核查、归档与督办，纠纷报告上报；维护机构队伍（含授权）、"
        "社会单位与两新组织，两新月报审核上报与催报，下达指令，管理在线交流",
        True,
        (
            *_crud("regions", "region", ("view", "add", "change", "delete", "import", "export")),
            *_crud(
                "regions", "gridworker", ("view", "add", "change", "delete", "import", "export")
            ),
            "core.view_objectchange",
            *_crud(
                "cases",
                "case",
                (
                    "view",
                    "add",
                    "register",
                    "dispatch",
                    "close",
                    "evaluate",
                    "approve_extension",
                    "suspend",
                    "escalate",
                    "supervise",
                    "merge",
                ),
            ),
            *_crud("cases", "supervisionorder", ("view", "add", "change")),
            *_crud("cases", "task", ("view", "add", "change", "send_verification")),
            *_crud("cases", "visit", ("view", "add", "change")),
            *(p for model in _CASE_SETTINGS for p in _crud("cases", model, ("view", "change"))),
            # Citizens' reports held by the abuse controls, and the block lists behind them.
            *_crud("portal", "heldreport", ("view", "change")),
            *_crud("portal", "blockedphone", ("view", "add", "delete")),
            *_crud("portal", "blockedip", ("view", "add", "delete")),
            # The county's 综治中心: it assesses, refers, archives and supervises disputes, and
            # is the last level of the outcome check.
            *_crud(
                "disputes",
                "dispute",
                (
                    "view",
                    "add",
                    "change",
                    "export",
                    "assess",
                    "dispatch",
                    "verify",
                    "archive",
                    "supervise",
                ),
            ),
            *_crud("disputes", "disputereport", ("view", "change", "submit")),
            *_TEAMS_KEEP,
            *_ORGANISATIONS,
            "units.delete_unit",
            *_MONTHLY_REPORTS,
            *_DIRECTIVES,
            *_EXCHANGE_MODERATE,
        ),
    ),
    RoleSpec(
        STREET_STAFF,
        "维护本街道（乡镇）的区域网格与网格员，导入导出网格员，查看变更记录；事件登记与受理立案，"
        "查看任务，向网格员发起人员、房屋核查任务，登记走访；矛盾纠纷登记与本级核查，纠纷报告上报；"
        "维护机构队伍（含授权）、社会单位与两新组织，两新月报生成上报与催报，下达指令，管理在线交流",
        True,
        (
            *_crud("regions", "region", ("view", "add", "change")),
            *_crud("regions", "gridworker", ("view", "add", "change", "import", "export")),
            "core.view_objectchange",
            *_crud("cases", "case", ("view", "add", "register")),
            *_crud("cases", "task", ("view", "send_verification")),
            *_crud("cases", "visit", ("view", "add")),
            *_BASE_DATA,
            *_crud("people", "person", ("delete",)),
            *_crud("people", "custodianassignment", ("view", "add", "change", "delete")),
            # A street's or community's office checks a dispute's outcome at its own level.
            *_crud("disputes", "dispute", ("view", "add", "verify")),
            *_crud("disputes", "disputereport", ("view", "change", "submit")),
            *_TEAMS_KEEP,
            *_ORGANISATIONS,
            *_MONTHLY_REPORTS,
            *_DIRECTIVES,
            *_EXCHANGE_MODERATE,
        ),
    ),
    RoleSpec(
        GRID_WORKER,
        "查看所负责网格的区域信息与网格员；上报与核查事件，执行任务，登记走访；登记矛盾纠纷；"
        "登记社会单位与两新组织，签收指令",
        False,
        (
            "regions.view_region",
            "regions.view_gridworker",
            *_crud("cases", "case", ("view", "add", "verify")),
            *_crud("cases", "task", ("view", "change")),
            *_crud("cases", "visit", ("view", "add")),
            *_BASE_DATA,
            *_crud("disputes", "dispute", ("view", "add")),
            *_TEAMS_READ,
            # They file units and organisations on their walks; deleting is the office's.
            *_crud("units", "unit", ("view", "add", "change")),
            *_crud("units", "unitlicence", ("view", "add", "change")),
            *_crud("neworgs", "neworganisation", ("view", "add", "change")),
            *_crud("neworgs", "orgbranch", ("view", "add", "change")),
            *_crud("neworgs", "regulation", ("view", "add", "change")),
            *_crud("neworgs", "workrecord", ("view", "add", "change")),
        ),
    ),
    RoleSpec(
        DEPARTMENT_HANDLER,
        "专业部门人员：签收、处置、退回派遣到本部门的事件，申请延期，回复督办；"
        "受理、调解交办到本单位的矛盾纠纷；签收指令，参与在线交流",
        False,
        (
            "cases.view_case",
            "cases.handle_case",
            *_crud("cases", "supervisionorder", ("view", "answer")),
            *_crud("disputes", "dispute", ("view", "mediate")),
            *_TEAMS_READ,
            *_EXCHANGE,
        ),
    ),
    RoleSpec(
        INSPECTOR,
        "监督员：巡查上报事件，现场核查处置结果，执行核查任务；签收指令，参与在线交流",
        False,
        (
            # The report form's map finds the grid and draws outlines through the regions API.
            "regions.view_region",
            *_crud("cases", "case", ("view", "add", "verify")),
            *_crud("cases", "task", ("view", "change")),
            *_TEAMS_READ,
            *_EXCHANGE,
        ),
    ),
    RoleSpec(
        POLITICAL_LEGAL_OFFICER,
        "政法综治专员：管理辖区特殊人群、重点人员与重点青少年（含敏感明细），登记帮教记录；"
        "作为司法所调解员受理、调解矛盾纠纷（含当事人信息），回复督办；查看社会单位与两新组织，"
        "两新月报上报与催报，下达指令，管理在线交流",
        True,
        (
            "people.view_person",
            "people.change_person",
            "people.view_residency",
            *_crud("people", "specialgroup", ("view", "add", "change", "export")),
            *_crud("people", "keyperson", ("view", "add", "change", "export")),
            *_crud("people", "atriskyouth", ("view", "add", "change", "export")),
            *_crud("people", "vulnerablegroup", ("view",)),
            *_crud("people", "carerecord", ("view", "add", "change", "export")),
            "people.view_custodianassignment",
            "housing.view_house",
            "housing.view_building",
            "housing.view_estate",
            *_crud("disputes", "dispute", ("view", "mediate", "view_party")),
            *_crud("cases", "supervisionorder", ("view", "answer")),
            *_TEAMS_READ,
            *_ORGANISATIONS_READ,
            *_MONTHLY_REPORTS,
            *_DIRECTIVES,
            *_EXCHANGE_MODERATE,
        ),
    ),
    RoleSpec(
        SYSTEM_ADMIN,
        "管理用户、角色与代码表，查看访问日志，管理 Open311 接口密钥与服务属性；"
        "管理机构队伍与授权，管理在线交流",
        False,
        (
            *_crud("accounts", "user", ("view", "add", "change", "delete")),
            *_crud("accounts", "role", ("view", "add", "change", "delete")),
            *_crud("core", "dictionary", ("view", "add", "change", "delete")),
            *_crud("core", "dictitem", ("view", "add", "change", "delete")),
            "core.view_accesslog",
            *_crud("open311", "apiclient", ("view", "add", "change")),
            *_crud("open311", "serviceattribute", ("view", "add", "change", "delete")),
            *_crud("orgs", "orgunit", ("view", "add", "change", "delete", "import", "export")),
            *_crud(
                "orgs", "staff", ("view", "add", "change", "delete", "import", "export", "grant")
            ),
            *_EXCHANGE_MODERATE,
            "exchange.delete_topic",
        ),
    ),
    RoleSpec(
        ORGANISATION_HEAD,
        "两新组织负责人账号：仅查看、维护本组织的基本信息、组织建设、工作制度与工作情况；"
        "签收、反馈指令，参与在线交流",
        False,
        (
            "neworgs.own_organisation_only",
            *_crud("neworgs", "neworganisation", ("view", "change")),
            *_crud("neworgs", "orgbranch", ("view", "add", "change")),
            *_crud("neworgs", "regulation", ("view", "add", "change")),
            *_crud("neworgs", "workrecord", ("view", "add", "change")),
            *_EXCHANGE,
        ),
    ),
)


def _permissions(names: set[str]) -> dict[str, Permission]:
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.filter(query).select_related("content_type")
    }
    missing = sorted(names - found.keys())
    if missing:
        # A typo here would silently leave a role without a right; fail loudly instead.
        raise ImproperlyConfigured(f"默认角色引用了不存在的权限：{', '.join(missing)}")
    return found


@transaction.atomic
def ensure_default_roles() -> dict[str, Role]:
    """Create or update the default roles and reset their permission sets; name → Role."""
    perms = _permissions({p for spec in DEFAULT_ROLES for p in spec.permissions})
    roles: dict[str, Role] = {}
    names = [spec.name for spec in DEFAULT_ROLES]
    existing = {role.name: role for role in Role.objects.filter(name__in=names)}
    for spec in DEFAULT_ROLES:
        role = existing.get(spec.name) or Role(name=spec.name)
        role.description = spec.description
        role.view_sensitive = spec.view_sensitive
        # The system resets them: an upgrade's changes to a role show in its history.
        records.save_record(
            role, actor=None, m2m={"permissions": [perms[p] for p in spec.permissions]}
        )
        roles[spec.name] = role
    return roles

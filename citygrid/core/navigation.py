"""The left-hand menu: every module of the system, built or not.

A module that is not built yet links to an honest "建设中" page (`core:wip`), never a fake one.
Each item names the permission that shows it, so people only see what they may open. Modules
still under construction are grouped under one "更多（建设中）" entry at the end, each shown only
to roles that will use it once built (`uses`: any one of those permissions) and to
superusers: a department handler's menu is not nine placeholders long.
"""

from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str = ""
    permission: str = ""
    wip: str = ""  # slug of a module still under construction
    # A module under construction: what it will hold, and the permissions of roles that will use it.
    detail: str = ""
    uses: tuple[str, ...] = ()

    def url(self) -> str:
        return reverse("core:wip", args=[self.wip]) if self.wip else reverse(self.url_name)

    def visible_to(self, user) -> bool:
        if self.wip:
            uses = (ADMINISTRATION, *self.uses)
            return user.is_superuser or any(user.has_perm(p) for p in uses)
        return not self.permission or user.has_perm(self.permission)


@dataclass(frozen=True)
class MenuGroup:
    label: str
    icon: str
    items: tuple[MenuItem, ...] = field(default_factory=tuple)


# Who will use the modules not built yet: those keeping base data (street offices, grid
# workers), political-legal officers, and the command centre. Administrators, who set up the
# roles, see them all.
ADMINISTRATION = "accounts.change_role"
_BASE_DATA = "people.add_person"
_SPECIAL_GROUPS = "people.view_specialgroup"
_DISPATCH = "cases.dispatch_case"
_REPORT = "cases.add_case"

WIP_GROUP = "更多（建设中）"
WIP_ITEMS: tuple[MenuItem, ...] = (
    MenuItem(
        "社会治安",
        wip="security",
        detail="特殊行业与重点场所",
        uses=(_BASE_DATA, _SPECIAL_GROUPS),
    ),
    MenuItem("综治台账", wip="ledgers", detail="综治工作台账", uses=(_SPECIAL_GROUPS,)),
    MenuItem("视频监控", wip="video", detail="视频资源", uses=(_DISPATCH,)),
    MenuItem("护路护线", wip="lines", detail="线路与案事件", uses=(_SPECIAL_GROUPS,)),
    MenuItem("校园安全", wip="campus", detail="学校及周边", uses=(_SPECIAL_GROUPS,)),
    MenuItem("社情民意", wip="public-opinion", detail="社情民意", uses=(_REPORT, _DISPATCH)),
)


MENU: tuple[MenuGroup, ...] = (
    MenuGroup(
        "基础数据",
        "ti-map-2",
        (
            MenuItem("区域网格", "regions:region_list", "regions.view_region"),
            MenuItem("网格地图", "regions:map", "regions.view_region"),
            MenuItem("网格员", "regions:gridworker_list", "regions.view_gridworker"),
            MenuItem("代码表", "core:dictionary_list", "core.view_dictionary"),
        ),
    ),
    MenuGroup(
        "实有人口",
        "ti-users",
        (MenuItem("人口管理", "people:person_list", "people.view_person"),),
    ),
    MenuGroup(
        "房屋管理",
        "ti-building",
        (
            MenuItem("小区", "housing:estate_list", "housing.view_estate"),
            MenuItem("楼栋", "housing:building_list", "housing.view_building"),
            MenuItem("房屋", "housing:house_list", "housing.view_house"),
            MenuItem("出租屋", "housing:rental_list", "housing.view_rental"),
            MenuItem("待核实出租申报", "housing:rental_pending", "housing.view_rental"),
            MenuItem("隐患检查", "housing:hazardcheck_list", "housing.view_hazardcheck"),
        ),
    ),
    MenuGroup(
        "重点人员",
        "ti-user-exclamation",
        (
            MenuItem("特殊人群", "people:specialgroup_list", "people.view_specialgroup"),
            MenuItem("重点人员", "people:keyperson_list", "people.view_keyperson"),
            MenuItem("重点青少年", "people:atriskyouth_list", "people.view_atriskyouth"),
            MenuItem("弱势群体", "people:vulnerablegroup_list", "people.view_vulnerablegroup"),
            MenuItem("帮扶记录", "people:carerecord_list", "people.view_carerecord"),
            MenuItem(
                "归口设置", "people:custodianassignment_list", "people.view_custodianassignment"
            ),
        ),
    ),
    MenuGroup(
        "事件管理",
        "ti-clipboard-list",
        (
            MenuItem("我的待办", "cases:desk", "cases.view_case"),
            MenuItem("事件登记", "cases:case_add", "cases.add_case"),
            MenuItem("待审核群众上报", "portal:heldreport_list", "portal.view_heldreport"),
            MenuItem("屏蔽手机号", "portal:blockedphone_list", "portal.view_blockedphone"),
            MenuItem("屏蔽IP", "portal:blockedip_list", "portal.view_blockedip"),
            MenuItem("全部事件", "cases:case_list", "cases.view_case"),
            MenuItem("任务", "cases:task_list", "cases.view_task"),
            MenuItem("走访日志", "cases:visit_list", "cases.view_visit"),
        ),
    ),
    MenuGroup(
        "矛盾纠纷",
        "ti-scale",
        (
            MenuItem("纠纷待办", "disputes:desk", "disputes.view_dispute"),
            MenuItem("登记纠纷", "disputes:dispute_add", "disputes.add_dispute"),
            MenuItem("全部纠纷", "disputes:dispute_list", "disputes.view_dispute"),
            MenuItem("纠纷报告", "disputes:report_list", "disputes.view_disputereport"),
            MenuItem("纠纷统计", "disputes:stats", "disputes.view_dispute"),
        ),
    ),
    MenuGroup(
        "指挥中心",
        "ti-building-broadcast-tower",
        (
            MenuItem("指挥台地图", "cases:map", "cases.view_case"),
            MenuItem("督办单", "cases:supervisionorder_list", "cases.view_supervisionorder"),
            MenuItem("事部件分类", "cases:casecategory_list", "cases.view_casecategory"),
            MenuItem("处置部门", "cases:department_list", "cases.view_department"),
            MenuItem("派遣规则", "cases:dispatchrule_list", "cases.view_dispatchrule"),
            MenuItem("处置时限", "cases:timelimit_list", "cases.view_timelimit"),
            MenuItem("工作日历", "cases:calendarday_list", "cases.view_calendarday"),
        ),
    ),
    MenuGroup(
        "机构队伍",
        "ti-sitemap",
        (
            MenuItem("队伍架构", "orgs:tree", "orgs.view_orgunit"),
            MenuItem("机构", "orgs:orgunit_list", "orgs.view_orgunit"),
            MenuItem("队伍成员", "orgs:staff_list", "orgs.view_staff"),
        ),
    ),
    MenuGroup(
        "两新组织",
        "ti-building-community",
        (
            MenuItem("社会单位", "units:unit_list", "units.view_unit"),
            MenuItem("社会单位地图", "units:unit_map", "units.view_unit"),
            MenuItem("两新组织", "neworgs:neworganisation_list", "neworgs.view_neworganisation"),
            MenuItem("组织覆盖率", "neworgs:coverage", "neworgs.view_neworganisation"),
            MenuItem("月报上报", "neworgs:monthlyreport_home", "neworgs.view_monthlyreport"),
        ),
    ),
    MenuGroup(
        "指令与交流",
        "ti-message-2",
        (
            MenuItem("指令下达", "notify:directive_list", "notify.send_directive"),
            MenuItem("我的指令", "notify:directive_inbox"),
            MenuItem("在线交流", "exchange:index", "exchange.view_board"),
        ),
    ),
    MenuGroup(
        "统计分析",
        "ti-chart-bar",
        (
            MenuItem("事件指标", "stats:indicators", "cases.view_case"),
            MenuItem("人口统计", "population:overview", "people.view_person"),
            MenuItem("人员地图", "population:map", "people.view_person"),
        ),
    ),
    MenuGroup(
        "系统管理",
        "ti-settings",
        (
            MenuItem("用户", "accounts:user_list", "accounts.view_user"),
            MenuItem("角色", "accounts:role_list", "accounts.view_role"),
            MenuItem("变更记录", "core:objectchange_list", "core.view_objectchange"),
            MenuItem("访问日志", "core:accesslog_list", "core.view_accesslog"),
            MenuItem("导入任务", "core:importjob_list"),
            MenuItem("导出任务", "core:exportjob_list"),
            MenuItem("短信发件箱", "notify:smsmessage_list", "notify.view_smsmessage"),
            MenuItem("Open311 接口密钥", "open311:apiclient_list", "open311.view_apiclient"),
        ),
    ),
    MenuGroup(WIP_GROUP, "ti-barrier-block", WIP_ITEMS),
)

WIP_MODULES = {item.wip: (item.label, item.detail) for item in WIP_ITEMS}


def menu_for(user) -> list[tuple[MenuGroup, list[MenuItem]]]:
    visible = []
    for group in MENU:
        items = [i for i in group.items if i.visible_to(user)]
        if items:
            visible.append((group, items))
    return visible

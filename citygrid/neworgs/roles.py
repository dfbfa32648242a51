"""The role of organisation heads (两新组织负责人), for the lead to add to `accounts/roles.py`.

`neworgs.own_organisation_only` narrows every record of this app to the organisations listing
the user in `accounts` (`models.organisations.own_organisations_queryset`); the account also
needs its organisation's community or grid as scope region, like any record it writes.
"""

from citygrid.accounts.roles import RoleSpec

ORGANISATION_HEAD = "两新组织负责人"

ORGANISATION_HEAD_ROLE = RoleSpec(
    ORGANISATION_HEAD,
    "两新组织负责人账号：仅查看、维护本组织的基本信息、组织建设、工作制度与工作情况",
    False,
    (
        "neworgs.own_organisation_only",
        "neworgs.view_neworganisation",
        "neworgs.change_neworganisation",
        "neworgs.view_orgbranch",
        "neworgs.add_orgbranch",
        "neworgs.change_orgbranch",
        "neworgs.view_regulation",
        "neworgs.add_regulation",
        "neworgs.change_regulation",
        "neworgs.view_workrecord",
        "neworgs.add_workrecord",
        "neworgs.change_workrecord",
    ),
)

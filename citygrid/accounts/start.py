"""Where a user lands after login: the page of their role (docs/scope-and-permissions.md,
"Start pages").

Each role names a start page, or leaves it to be derived from its permissions. A user with
several roles lands on the first of `PRECEDENCE` any of them names: the page with the most
pressing work. A grid worker's app only makes sense on a phone: on a desktop the 工作台 shows a
link to it instead.
"""

import re

from django.contrib.auth.models import Permission
from django.urls import reverse

from citygrid.accounts.choices import StartPage

# The page each start page opens, and the permission it needs (a role may lose it later).
TARGETS = {
    StartPage.WORKBENCH: ("home", ""),
    StartPage.MOBILE: ("mobile:home", ""),
    StartPage.DESK: ("cases:desk", "cases.view_case"),
    StartPage.DASHBOARD: ("stats:indicators", "cases.view_case"),
}
PRECEDENCE = (StartPage.MOBILE, StartPage.DESK, StartPage.DASHBOARD, StartPage.WORKBENCH)

# Transitions of people who work on cases at a desk (centre, street office, department).
DESK_PERMISSIONS = {
    "cases.register_case",
    "cases.dispatch_case",
    "cases.handle_case",
    "cases.close_case",
}
PHONE_AGENT = re.compile(r"Mobi|Android|iPhone|iPod|HarmonyOS", re.IGNORECASE)


def derived_start_page(permissions: set[str]) -> str:
    """The start page a role's permissions ("app.codename") suggest."""
    if "cases.view_case" not in permissions:
        return StartPage.WORKBENCH
    if permissions & DESK_PERMISSIONS:
        return StartPage.DESK
    if {"cases.add_case", "cases.verify_case"} <= permissions:
        return StartPage.MOBILE  # reports and checks in the field: 网格员, 监督员
    return StartPage.DASHBOARD  # looks at cases without acting on them: 领导


def role_start_pages(user) -> set[str]:
    """The start pages of the user's roles, each explicit or derived. Two queries."""
    pages = set()
    roles = list(user.roles.all())
    auto = [role.pk for role in roles if not role.start_page]
    if auto:
        by_role: dict[int, set[str]] = {pk: set() for pk in auto}
        rows = Permission.objects.filter(roles__in=auto).values_list(
            "roles", "content_type__app_label", "codename"
        )
        for role_id, app_label, codename in rows:
            by_role[role_id].add(f"{app_label}.{codename}")
        pages |= {derived_start_page(perms) for perms in by_role.values()}
    pages |= {role.start_page for role in roles if role.start_page}
    return pages


def is_phone(request) -> bool:
    return bool(PHONE_AGENT.search(request.headers.get("User-Agent", "")))


def start_page(user, phone: bool) -> str:
    """The start page `user` lands on, on a phone or not."""
    pages = role_start_pages(user)
    for page in PRECEDENCE:
        if page not in pages or (page == StartPage.MOBILE and not phone):
            continue
        permission = TARGETS[page][1]
        if not permission or user.has_perm(permission):
            return page
    return StartPage.WORKBENCH


def start_url(request, user) -> str:
    """Where `user` goes after logging in from this request's device."""
    return reverse(TARGETS[start_page(user, is_phone(request))][0])

"""The demo accounts as people see them listed: `manage.py demo_accounts` and the login page."""

from dataclasses import dataclass

from django.conf import settings

from citygrid.accounts.models import User
from citygrid.demo.regions import DEMO_ACCOUNTS


@dataclass(frozen=True)
class DemoAccountRow:
    username: str
    role: str
    scope: str
    posts: str


def demo_account_rows() -> list[DemoAccountRow]:
    """The demo accounts that exist, in their defined order; none outside demo mode, so a
    production login page can never list accounts."""
    if not settings.DEMO_MODE:
        return []
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[a.username for a in DEMO_ACCOUNTS], is_active=True
        ).prefetch_related("roles", "scope_regions", "departments", "grid_posts__region")
    }
    rows = []
    for spec in DEMO_ACCOUNTS:
        user = users.get(spec.username)
        if user is None:
            continue
        role = "超级管理员" if user.is_superuser else "、".join(r.name for r in user.roles.all())
        posts = [d.name for d in user.departments.all()] + [
            f"{p.region.name}{p.get_role_display()}" for p in user.grid_posts.all()
        ]
        rows.append(
            DemoAccountRow(
                username=user.username,
                role=role or "—",
                scope="、".join(r.name for r in user.scope_regions.all()) or "—",
                posts="、".join(posts) or "—",
            )
        )
    return rows

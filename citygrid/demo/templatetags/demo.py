"""`{% demo_accounts %}`: the login page's list of demo accounts (demo mode only). A tag, so the
accounts app below never imports the demo generator above it."""

from django import template

from citygrid.demo.accounts import demo_account_rows
from citygrid.demo.regions import DEMO_PASSWORD

register = template.Library()


@register.inclusion_tag("demo/login_accounts.html")
def demo_accounts() -> dict:
    return {"rows": demo_account_rows(), "password": DEMO_PASSWORD}

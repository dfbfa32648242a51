"""Named staff as directive recipients, found as one types: a city leader's territory holds
thousands of accounts, so the form holds only the chosen ones (`static/citygrid/
search-picker.js`, GET to `notify:directive_staff_search`) and the field's queryset validates."""

from django import forms
from django.db.models import Q
from django.urls import reverse

from citygrid.accounts.models import User
from citygrid.core.filtersets import INT_MAX
from citygrid.core.querysets import scope_q

SEARCH_RESULTS = 20


def staff_in_scope(user):
    """Active accounts whose territory lies inside the user's, the user excepted."""
    staff = User.objects.filter(is_active=True).exclude(pk=user.pk)
    if not user.is_superuser:
        staff = staff.filter(scope_q("scope_regions__code", user.scope_codes())).distinct()
    return staff


def label(account: User) -> str:
    return f"{account.full_name or account.username}（{account.username}）"


def search_staff(user, text: str) -> list[User]:
    text = " ".join(text.split())[:50]
    if not text:
        return []
    found = staff_in_scope(user).filter(
        Q(full_name__icontains=text) | Q(username__istartswith=text)
    )
    return list(found.only("pk", "username", "full_name").order_by("username")[:SEARCH_RESULTS])


class StaffPicker(forms.SelectMultiple):
    def __init__(self, attrs=None):
        super().__init__({"class": "form-select", **(attrs or {})})

    def get_context(self, name, value, attrs):
        attrs = {
            **(attrs or {}),
            "data-search-picker": "",
            "data-search-url": reverse("notify:directive_staff_search"),
            "data-method": "get",
            "data-placeholder": "输入姓名或账号搜索",
            "data-empty": "管辖范围内没有匹配的人员",
        }
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        ids = [v for v in value if str(v).isdigit() and int(v) <= INT_MAX]
        queryset = getattr(self.choices, "queryset", None)
        chosen = list(queryset.filter(pk__in=ids)) if ids and queryset is not None else []
        options = [
            self.create_option(name, str(account.pk), label(account), True, index)
            for index, account in enumerate(chosen)
        ]
        return [(None, options, 0)]

"""Recipients named one by one, found as one types: a city leader's territory holds thousands
of accounts and a hundred thousand organisations, so the form holds only the chosen ones
(`static/citygrid/search-picker.js`, GET to `notify:directive_staff_search` or
`notify:directive_target_search`). Staff are validated by the field's queryset; a registered
kind's values by its `resolve`, which keeps to the sender's territory."""

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


class TargetPicker(forms.SelectMultiple):
    """The values of a searchable target kind (`TargetKind.search`), named by its `choices`."""

    def __init__(self, spec, user):
        super().__init__({"class": "form-select"})
        self.spec, self.user = spec, user

    def get_context(self, name, value, attrs):
        attrs = {
            **(attrs or {}),
            "data-search-picker": "",
            "data-search-url": reverse("notify:directive_target_search", args=[self.spec.kind]),
            "data-method": "get",
            "data-placeholder": "输入名称搜索",
            "data-empty": "管辖范围内没有匹配的结果",
        }
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        chosen = self.spec.choices(self.user, [v for v in value if v]) if value else []
        options = [
            self.create_option(name, key, text, True, index)
            for index, (key, text) in enumerate(chosen)
        ]
        return [(None, options, 0)]


class TargetField(forms.MultipleChoiceField):
    """Any value passes the field: `resolve` reads only what lies in the sender's territory."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit() and int(value) <= INT_MAX

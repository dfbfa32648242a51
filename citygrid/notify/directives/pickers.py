"""Recipients named one by one, found as one types: a city leader's territory holds thousands
of accounts and a hundred thousand organisations, so the form holds only the chosen ones
(`static/citygrid/search-picker.js`, GET to `notify:directive_staff_search` or
`notify:directive_target_search`). Staff are validated by the field's queryset; a registered
kind's values by its `resolve`, which keeps to the sender's territory."""

from django import forms
from django.urls import reverse

from citygrid.accounts.widgets import accounts_in_scope
from citygrid.core.filtersets import INT_MAX


def staff_in_scope(user):
    """Active accounts whose territory lies inside the sender's, the sender excepted."""
    return accounts_in_scope(user).exclude(pk=user.pk)


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

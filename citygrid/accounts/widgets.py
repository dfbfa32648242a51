"""Accounts found as one types: a city holds thousands of accounts, so a form holds only the
chosen ones (`static/citygrid/search-picker.js`) and its field's queryset validates. The search
answers names and logins of active accounts inside the searcher's territory, nothing else."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.urls import reverse

from citygrid.accounts.models import User
from citygrid.core.filtersets import INT_MAX
from citygrid.core.querysets import scope_q

SEARCH_RESULTS = 20


def accounts_in_scope(user):
    """Active accounts whose territory lies inside the user's."""
    accounts = User.objects.filter(is_active=True)
    if not user.is_superuser:
        accounts = accounts.filter(scope_q("scope_regions__code", user.scope_codes())).distinct()
    return accounts


def label(account: User) -> str:
    return f"{account.full_name or account.username}（{account.username}）"


def search_accounts(accounts, text: str) -> list[User]:
    """The first matches of a name (anywhere) or a login (its start) among `accounts`."""
    text = " ".join(text.split())[:50]
    if not text:
        return []
    found = accounts.filter(Q(full_name__icontains=text) | Q(username__istartswith=text))
    return list(found.only("pk", "username", "full_name").order_by("username")[:SEARCH_RESULTS])


def account_search_view(permissions: tuple[str, ...], refusal: str):
    """A page's own account search: holders of any of `permissions` find the accounts inside
    their territory; anyone else is refused with `refusal`."""

    @login_required
    def search(request):
        if not any(request.user.has_perm(p) for p in permissions):
            raise PermissionDenied(refusal)
        found = search_accounts(accounts_in_scope(request.user), request.GET.get("q", ""))
        return JsonResponse({"results": [{"id": a.pk, "text": label(a)} for a in found]})

    return search


class AccountPicker(forms.Select):
    """One account; `url_name` is the page's own search, which decides who may search whom."""

    def __init__(self, url_name: str, attrs=None):
        super().__init__({"class": "form-select", **(attrs or {})})
        self.url_name = url_name

    def get_context(self, name, value, attrs):
        attrs = {
            **(attrs or {}),
            "data-search-picker": "",
            "data-search-url": reverse(self.url_name),
            "data-method": "get",
            "data-placeholder": "输入姓名或账号搜索",
            "data-empty": "管辖范围内没有匹配的人员",
        }
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        ids = [v for v in value if str(v).isdigit() and int(v) <= INT_MAX]
        queryset = getattr(self.choices, "queryset", None)
        chosen = list(queryset.filter(pk__in=ids)) if ids and queryset is not None else []
        options = (
            []
            if self.allow_multiple_selected
            else [self.create_option(name, "", "", not chosen, 0)]
        )
        options += [
            self.create_option(name, str(account.pk), label(account), True, index)
            for index, account in enumerate(chosen, start=len(options))
        ]
        return [(None, options, 0)]


class AccountMultiPicker(AccountPicker, forms.SelectMultiple):
    pass


def use_account_picker(field: forms.ModelChoiceField, url_name: str) -> None:
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    field.widget = (AccountMultiPicker if multiple else AccountPicker)(url_name)
    field.widget.is_required = field.required
    field.widget.choices = field.choices

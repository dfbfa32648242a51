"""Person pages: register, search, edit, import, export; plaintext on request with a logged
reason; residences and moving house."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from citygrid.cases.fieldwork import verification_tasks
from citygrid.core.errors import ActionError
from citygrid.core.fields import DictField
from citygrid.core.middleware import client_ip
from citygrid.core.models import AccessLog
from citygrid.core.views import generic
from citygrid.people import actions, filtersets
from citygrid.people.forms.persons import (
    LookupForm,
    MoveForm,
    PersonDetails,
    PersonForm,
    RevealForm,
)
from citygrid.people.models import Person, Residency
from citygrid.people.tables.persons import PersonTable
from citygrid.people.widgets import picker_label, search_persons

REVEALED_FIELDS = "证件号码、联系电话"


class PersonListView(generic.ObjectListView):
    model = Person
    queryset = Person.objects.select_related("region")
    table = PersonTable
    filterset = filtersets.PersonFilterSet
    template_name = "people/person_list.html"

    def filtered(self, action: str):
        # The region picker needs the user to offer only their territory.
        qs = self.get_queryset(action)
        self.filterset_instance = self.filterset(
            self.request.GET, queryset=qs, request=self.request
        )
        return self.filterset_instance.qs

    def post(self, request):
        """精确查找: an ID or mobile number arrives in the body, so it never lands in a URL
        (browser history, proxy logs, the Referer of the next page)."""
        self.require_perm()
        form = LookupForm(request.POST)
        if not form.is_valid():
            messages.error(request, form.errors["number"][0])
            return redirect("people:person_list")
        found = list(self.get_queryset("view").filter(**form.cleaned_data["number"])[:50])
        if len(found) == 1:
            return redirect(found[0].get_absolute_url())
        if not found:
            messages.warning(request, "未找到该号码登记的人员（或不在您的管辖范围内）")
            return redirect("people:person_list")
        context = {**self.base_context(), "table": self.table(found), "filter": None}
        return render(request, self.template_name, context)


class PersonView(generic.ObjectView):
    model = Person
    queryset = Person.objects.select_related(
        "region", "registered", "floating", "overseas", "left_behind"
    )

    def extra_context(self, obj):
        user = self.request.user
        residencies = list(
            Residency.objects.restrict(user, "view")
            .filter(person=obj)
            .select_related("house", "rental")
        )
        return {
            "ancestors": obj.region.ancestors(),
            "current_home": next((r for r in residencies if r.current), None),
            "past_homes": [r for r in residencies if not r.current],
            "can_reveal": user.can_view_sensitive(),
            "can_move": can_move(user),
            "reveal_form": RevealForm(),
            "details": _details(obj),
            "verification_tasks": verification_tasks(user, person=obj),
        }


SKIPPED_FIELDS = {"id", "person", "created", "last_updated"}


def facts(obj) -> list[tuple[str, object]]:
    """(label, shown value) of every item of a detail record, code values as their labels."""
    rows = []
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS:
            continue
        value = getattr(obj, field.name)
        if field.name in obj.sensitive_fields:
            # Plaintext on the person page comes only through the reveal, with a reason.
            value = obj.masked(field.name)
        elif isinstance(field, DictField):
            value = getattr(obj, f"get_{field.name}_label")()
        elif field.choices:
            value = getattr(obj, f"get_{field.name}_display")()
        elif isinstance(value, bool):
            value = "是" if value else "否"
        rows.append((field.verbose_name, value if value not in (None, "") else "—"))
    return rows


def _details(person: Person) -> list[tuple[str, list]]:
    """The residence-type detail records the person has (reverse one-to-ones)."""
    found = []
    for name in ("registered", "floating", "overseas", "left_behind"):
        try:
            detail = getattr(person, name)
        except Person._meta.get_field(name).related_model.DoesNotExist:
            continue
        found.append((detail._meta.verbose_name, facts(detail)))
    return found


class PersonEditView(generic.ObjectEditView):
    model = Person
    form = PersonForm
    template_name = "people/person_edit.html"

    def extra_context(self, obj):
        return {"details": self.details}

    def get(self, request, pk=None):
        obj = self.get_instance()
        self.details = PersonDetails(obj)
        form = self.form(
            instance=obj, initial=self.initial() if not obj.pk else None, user=request.user
        )
        return self.render_form(form, obj)

    def post(self, request, pk=None):
        obj = self.get_instance()
        form = self.form(request.POST, instance=obj, user=request.user)
        self.details = PersonDetails(obj, request.POST)
        person_valid = form.is_valid()
        chosen = self.details.chosen(
            form.cleaned_data.get("residence_type"), form.cleaned_data.get("left_behind", False)
        )
        if self.details.is_valid(chosen) and person_valid:
            try:
                with transaction.atomic():
                    obj = self.save_form(form)
                    self.details.save(obj, chosen, actor=request.user)
            except ActionError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, f"已保存实有人口：{obj}")
                return redirect(obj.get_absolute_url())
        return self.render_form(form, obj)


class PersonDeleteView(generic.ObjectDeleteView):
    model = Person


class PersonChangeLogView(generic.ObjectChangeLogView):
    model = Person


class PersonImportView(generic.ImportView):
    model = Person


class PersonExportView(generic.ExportView):
    model = Person
    filterset = filtersets.PersonFilterSet
    queryset = Person.objects.select_related("region", "floating").prefetch_related(
        Prefetch(
            "residencies",
            queryset=Residency.objects.filter(ended_on__isnull=True).select_related("house"),
            to_attr="current_homes",
        )
    )


@login_required
@require_POST
def person_reveal(request, pk: int):
    """Show the ID number and phone in clear, once, for a stated reason — and log it.

    Permission before scope (403 before 404), and nothing is logged unless something was shown.
    """
    user = request.user
    if not user.has_perm("people.view_person") or not user.can_view_sensitive():
        raise PermissionDenied("您没有查看明文的权限")
    person = get_object_or_404(Person.objects.restrict(user, "view"), pk=pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        response = render(
            request, "people/inc/person_reveal_form.html", {"object": person, "reveal_form": form}
        )
        response["HX-Retarget"] = "#person-reveal-form"
        return response
    AccessLog.objects.create(
        user=user,
        user_name=user.get_username(),
        action=AccessLog.Action.VIEW_SENSITIVE,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=person.pk,
        reason=form.cleaned_data["reason"],
        detail=REVEALED_FIELDS,
        ip=client_ip(request),
    )
    response = render(request, "people/inc/person_reveal.html", {"object": person})
    response["Cache-Control"] = "no-store"
    return response


def can_move(user) -> bool:
    return user.has_perm("people.change_person") and user.has_perm("people.add_residency")


@login_required
def person_move(request, pk: int):
    """迁居/变更住址: end the current home and start the new one (or register the first)."""
    user = request.user
    if not can_move(user):
        raise PermissionDenied("您没有办理迁居的权限")
    person = get_object_or_404(Person.objects.restrict(user, "change"), pk=pk)
    current = Residency.objects.filter(person=person, ended_on__isnull=True).first()
    form = MoveForm(request.POST or None, user=user, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.move_person(
                person,
                house=data["house"],
                relation=data["relation"],
                relation_to_head=data["relation_to_head"],
                started_on=data["started_on"],
                rental=data["rental"],
                actor=user,
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已办理迁居：{person}")
            return redirect(person.get_absolute_url())
    context = {
        "object": person,
        "model": Person,
        "verbose_name": Person._meta.verbose_name,
        "form": form,
        "current_home": current,
    }
    return render(request, "people/person_move.html", context)


@login_required
@require_POST
def person_search(request):
    """Matches for a person picker (`people/widgets.py`), from the persons the user may view.
    POST: what is typed may be an ID number, which must not go into a URL or an access log."""
    persons = search_persons(request.user, request.POST.get("q", ""))
    return JsonResponse({"results": [{"id": p.pk, "text": picker_label(p)} for p in persons]})

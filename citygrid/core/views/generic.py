"""Generic views: each record type gets list/detail/edit/delete/import/export/history from a
few declarative lines. All of them fetch through `restrict(user, action)`: no permission → 403,
out of scope → 404, and a write that would leave the writer's scope is rolled back.
"""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views import View
from django_tables2 import RequestConfig
from django_tables2.rows import BoundRows

from citygrid.core import history, listing, records
from citygrid.core.errors import OutOfScope
from citygrid.core.forms import ImportForm
from citygrid.core.io import export
from citygrid.core.io.files import CONTENT_TYPES
from citygrid.core.io.resources import resource_for
from citygrid.core.middleware import client_ip
from citygrid.core.models import ExportJob, ImportJob, ObjectChange
from citygrid.core.querysets import permission_name
from citygrid.core.routers import on_replica
from citygrid.core.tasks import run_export

ACTION_ROUTES = {
    "view": "",
    "add": "_add",
    "change": "_edit",
    "delete": "_delete",
    "import": "_import",
    "export": "_export",
}


def url_name(model, suffix: str = "") -> str:
    meta = model._meta
    return f"{meta.app_label}:{meta.model_name}{suffix}"


def route_exists(model, suffix: str) -> bool:
    """Buttons only for views the record type has (not every type has every view)."""
    try:
        reverse(url_name(model, suffix), args=[0] if suffix in ("", "_edit", "_delete") else [])
    except NoReverseMatch:
        return False
    return True


class ModelViewMixin(LoginRequiredMixin):
    model = None
    queryset = None
    action = "view"

    def require_perm(self, action: str | None = None) -> None:
        if not self.request.user.has_perm(permission_name(self.model, action or self.action)):
            raise PermissionDenied("您没有此操作的权限")

    def get_queryset(self, action: str | None = None):
        qs = self.queryset if self.queryset is not None else self.model.objects.all()
        return qs.all().restrict(self.request.user, action or self.action)

    def get_object(self, action: str | None = None):
        self.require_perm(action)
        return get_object_or_404(self.get_queryset(action), pk=self.kwargs["pk"])

    def base_context(self) -> dict:
        meta = self.model._meta
        return {
            "model": self.model,
            "verbose_name": meta.verbose_name,
            "list_url": reverse(url_name(self.model, "_list"))
            if route_exists(self.model, "_list")
            else "",
            "perms_for": {
                action: self.request.user.has_perm(permission_name(self.model, action))
                and route_exists(self.model, suffix)
                for action, suffix in ACTION_ROUTES.items()
            },
        }


class ObjectListView(ModelViewMixin, View):
    filterset = None
    filterset_form_template = "core/inc/filter_form.html"
    table = None
    template_name = "core/object_list.html"

    def filtered(self, action: str):
        qs = self.get_queryset(action)
        if self.filterset:
            self.filterset_instance = self.filterset(self.request.GET, queryset=qs)
            return self.filterset_instance.qs
        self.filterset_instance = None
        return qs

    def get(self, request):
        self.require_perm()
        table = self.table(self.filtered("view"))
        # Ordering from the request; paging is ours (`core/listing.py`): a bounded count and
        # keyset links instead of counting every row and OFFSET-ing to deep pages.
        RequestConfig(request, paginate=False).configure(table)
        listed = listing.paginate(
            request, table.data.data, listing.per_page(request, table._meta.per_page)
        )
        listed.page.object_list = BoundRows(listed.page.object_list, table)
        table.page = listed.page
        context = {
            **self.base_context(),
            "table": table,
            "listing": listed,
            "filter": self.filterset_instance,
        }
        if request.htmx and request.htmx.target == "object-table":
            return render(request, "core/inc/table.html", context)
        return render(request, self.template_name, context)


class ObjectView(ModelViewMixin, View):
    template_name = None
    tab = "detail"

    def get_template_name(self) -> str:
        meta = self.model._meta
        return self.template_name or f"{meta.app_label}/{meta.model_name}.html"

    def extra_context(self, obj) -> dict:
        return {}

    def get(self, request, pk):
        obj = self.get_object()
        context = {**self.base_context(), "object": obj, "tab": self.tab}
        context.update(self.extra_context(obj))
        return render(request, self.get_template_name(), context)


class ObjectEditView(ModelViewMixin, View):
    form = None
    template_name = "core/object_edit.html"

    def get_instance(self):
        if "pk" in self.kwargs:
            return self.get_object("change")
        self.require_perm("add")
        return self.model()

    def initial(self) -> dict:
        return {k: v for k, v in self.request.GET.items()}

    def extra_context(self, obj) -> dict:
        return {}

    def render_form(self, form, obj):
        context = {**self.base_context(), "form": form, "object": obj, **self.extra_context(obj)}
        return render(self.request, self.template_name, context)

    def save_form(self, form):
        """Write the form's record (and its many-to-many values) through the one write path."""
        obj = form.save(commit=False)
        m2m = {
            f.name: form.cleaned_data[f.name]
            for f in obj._meta.many_to_many
            if f.name in form.cleaned_data
        }
        return records.save_record(obj, actor=self.request.user, m2m=m2m)

    def get(self, request, pk=None):
        obj = self.get_instance()
        form = self.form(
            instance=obj, initial=self.initial() if not obj.pk else None, user=request.user
        )
        return self.render_form(form, obj)

    def post(self, request, pk=None):
        obj = self.get_instance()
        form = self.form(request.POST, request.FILES, instance=obj, user=request.user)
        if form.is_valid():
            try:
                obj = self.save_form(form)
            except OutOfScope as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"已保存{self.model._meta.verbose_name}：{obj}")
                return redirect(obj.get_absolute_url())
        return self.render_form(form, obj)


class ObjectDeleteView(ModelViewMixin, View):
    template_name = "core/object_delete.html"

    def get(self, request, pk):
        obj = self.get_object("delete")
        return render(request, self.template_name, {**self.base_context(), "object": obj})

    def post(self, request, pk):
        obj = self.get_object("delete")
        try:
            records.delete_record(obj, actor=request.user)
        except ProtectedError as exc:
            names = "、".join(str(o) for o in list(exc.protected_objects)[:5])
            messages.error(request, f"无法删除“{obj}”：仍有关联记录（{names}）")
            return redirect(obj.get_absolute_url())
        messages.success(request, f"已删除{self.model._meta.verbose_name}：{obj}")
        return redirect(url_name(self.model, "_list"))


class ObjectChangeLogView(ModelViewMixin, View):
    template_name = "core/object_changelog.html"

    def get(self, request, pk):
        obj = self.get_object()
        changes = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model), object_id=obj.pk
        ).select_related("user")
        context = {
            **self.base_context(),
            "object": obj,
            "changes": history.readable(changes),
            "tab": "changelog",
        }
        return render(request, self.template_name, context)


class ExportView(ModelViewMixin, View):
    """Masked by default. Plaintext only when asked for (`plaintext=1`) by a role that may see
    it, and, like a single reveal, with a reason that the access log keeps.

    Memory stays flat for any size: CSV streams; an XLSX is written inline up to
    `CITYGRID_EXPORT_INLINE_ROWS` rows, above that by a background job (`core/io/export.py`)."""

    filterset = None
    action = "export"

    def export_queryset(self, params):
        """What this request may export; the export job calls it too, for a rebuilt request."""
        qs = self.get_queryset()
        return self.filterset(params, queryset=qs).qs if self.filterset else qs

    def get(self, request):
        self.require_perm()
        # The plaintext request and its reason are not filters (a model may have a `reason`).
        params = request.GET.copy()
        reveal = bool(params.pop("plaintext", None))
        reason = " ".join(params.pop("reason", [])).strip()[:200]
        fmt = "csv" if params.pop("export_format", None) == ["csv"] else "xlsx"
        if reveal and not request.user.can_view_sensitive():
            raise PermissionDenied("您没有导出明文的权限")
        if reveal and not reason:
            messages.error(request, "导出明文须填写事由")
            return redirect(f"{reverse(url_name(self.model, '_list'))}?{params.urlencode()}")
        resource = resource_for(self.model)()
        qs = on_replica(self.export_queryset(params))
        # Counted up front so the access log is written before any row leaves: a download the
        # client aborts half-way is still on record.
        count = qs.count()
        if fmt == "xlsx" and count > settings.CITYGRID_EXPORT_INLINE_ROWS:
            job = ExportJob.objects.create(
                user=request.user,
                resource=resource.key(),
                view=f"{type(self).__module__}.{type(self).__qualname__}",
                filters=dict(params.lists()),
                format=fmt,
                reveal=reveal,
                reason=reason if reveal else "",
                ip=client_ip(request),
            )
            run_export.enqueue(job.pk)
            return redirect("core:exportjob", pk=job.pk)
        export.log_export(
            request.user,
            self.model,
            fmt=fmt,
            reveal=reveal,
            reason=reason,
            params=params,
            count=count,
            ip=client_ip(request),
        )
        rows = (resource.export_row(obj, reveal) for obj in qs.iterator(chunk_size=2000))
        if fmt == "csv":
            response = StreamingHttpResponse(
                export.csv_chunks(resource.header(), rows), content_type=CONTENT_TYPES[fmt]
            )
        else:
            out = io.BytesIO()
            export.write_xlsx(out, resource.header(), rows)
            response = HttpResponse(out.getvalue(), content_type=CONTENT_TYPES[fmt])
        filename = f"{self.model._meta.model_name}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ImportView(ModelViewMixin, View):
    template_name = "core/import.html"
    action = "import"

    def context(self, form) -> dict:
        resource = resource_for(self.model)
        return {
            **self.base_context(),
            "form": form,
            "resource": resource(),
            "resource_key": resource.key(),
        }

    def get(self, request):
        self.require_perm()
        return render(request, self.template_name, self.context(ImportForm()))

    def post(self, request):
        from citygrid.core.tasks import run_import

        self.require_perm()
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form))
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            user=request.user,
            resource=resource_for(self.model).key(),
            file=upload,
            file_name=upload.name,
            valid_only=form.cleaned_data["valid_only"],
        )
        run_import.enqueue(job.pk)
        return redirect("core:importjob", pk=job.pk)

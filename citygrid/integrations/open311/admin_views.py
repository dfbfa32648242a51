"""System management of Open311: the API keys of the connected systems and the extra questions
(attributes) a class asks. A key is shown once, on the page that issued it, and never stored."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import render
from django.views import View

from citygrid.core import records
from citygrid.core.views import generic
from citygrid.integrations.open311.forms import ApiClientForm, ServiceAttributeForm
from citygrid.integrations.open311.keys import issue_key
from citygrid.integrations.open311.models import ApiClient, ServiceAttribute
from citygrid.integrations.open311.tables import ApiClientTable, ServiceAttributeTable

KEY_TEMPLATE = "open311/apiclient_key.html"


class ApiClientListView(generic.ObjectListView):
    model = ApiClient
    queryset = ApiClient.objects.annotate(request_count=Count("requests"))
    table = ApiClientTable
    template_name = "open311/apiclient_list.html"


class ApiClientView(generic.ObjectView):
    model = ApiClient
    template_name = "open311/apiclient.html"

    def extra_context(self, obj):
        return {
            "request_count": obj.requests.count(),
            "may_rotate": self.request.user.has_perm("open311.change_apiclient"),
        }


def _show_key(request, view, client, key: str):
    messages.success(request, f"已为“{client}”生成接口密钥，请立即复制：离开本页后无法再次查看")
    context = {**view.base_context(), "object": client, "api_key": key}
    response = render(request, KEY_TEMPLATE, context)
    response["Cache-Control"] = "no-store"
    return response


class ApiClientCreateView(generic.ObjectEditView):
    model = ApiClient
    form = ApiClientForm

    def post(self, request, pk=None):
        self.require_perm("add")
        form = self.form(request.POST, instance=ApiClient(), user=request.user)
        if not form.is_valid():
            return self.render_form(form, form.instance)
        client = form.save(commit=False)
        key = issue_key(client)
        records.save_record(client, actor=request.user)
        return _show_key(request, self, client, key)


class ApiClientEditView(generic.ObjectEditView):
    model = ApiClient
    form = ApiClientForm


class ApiClientRotateView(generic.ModelViewMixin, View):
    """A new key for a client whose key leaked or was lost; the old key stops working at once."""

    model = ApiClient

    def post(self, request, pk):
        client = self.get_object("change")
        key = issue_key(client)
        records.save_record(client, actor=request.user)
        return _show_key(request, self, client, key)


class ApiClientDeleteView(generic.ObjectDeleteView):
    model = ApiClient


class ApiClientChangeLogView(generic.ObjectChangeLogView):
    model = ApiClient


class ServiceAttributeListView(generic.ObjectListView):
    model = ServiceAttribute
    queryset = ServiceAttribute.objects.select_related("category")
    table = ServiceAttributeTable


class ServiceAttributeView(generic.ObjectView):
    model = ServiceAttribute
    template_name = "open311/serviceattribute.html"


class ServiceAttributeEditView(generic.ObjectEditView):
    model = ServiceAttribute
    form = ServiceAttributeForm


class ServiceAttributeDeleteView(generic.ObjectDeleteView):
    model = ServiceAttribute


class ServiceAttributeChangeLogView(generic.ObjectChangeLogView):
    model = ServiceAttribute

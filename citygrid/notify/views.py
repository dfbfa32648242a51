from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from citygrid.core.views import generic
from citygrid.notify import filtersets, services, tables
from citygrid.notify.models import Notification, SmsMessage


class OutboxMixin:
    def base_context(self) -> dict:
        # One message is a "短信"; the page of them is the outbox.
        return {**super().base_context(), "verbose_name": "短信发件箱"}


class SmsMessageListView(OutboxMixin, generic.ObjectListView):
    model = SmsMessage
    queryset = SmsMessage.objects.select_related("template")
    table = tables.SmsMessageTable
    filterset = filtersets.SmsMessageFilterSet


class SmsMessageView(OutboxMixin, generic.ObjectView):
    model = SmsMessage
    queryset = SmsMessage.objects.select_related("template", "content_type")


def _own_notification(request, pk) -> Notification:
    # Someone else's notification answers 404, exactly like one that does not exist.
    return get_object_or_404(Notification, pk=pk, recipient=request.user)


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(recipient=request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    return render(
        request, "notify/notification_list.html", {"page": page, "unread_only": unread_only}
    )


@login_required
@require_POST
def notification_open(request, pk):
    """Mark one notification read and go where it points (POST: reading changes state)."""
    notification = _own_notification(request, pk)
    services.mark_read(notification)
    url = notification.url
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect("notify:notification_list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.mark_all_read(request.user)
    messages.success(request, f"已将 {count} 条消息标为已读")
    return redirect("notify:notification_list")

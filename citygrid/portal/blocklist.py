"""Staff pages of the block lists: reports from these phones and addresses are held for review
(never dropped), so blocking is reversible and every change lands in the change log."""

from citygrid.core.views import generic
from citygrid.portal import forms, tables
from citygrid.portal.models import BlockedIp, BlockedPhone


class BlockedPhoneListView(generic.ObjectListView):
    model = BlockedPhone
    table = tables.BlockedPhoneTable


class BlockedPhoneEditView(generic.ObjectEditView):
    model = BlockedPhone
    form = forms.BlockedPhoneForm


class BlockedPhoneDeleteView(generic.ObjectDeleteView):
    model = BlockedPhone


class BlockedIpListView(generic.ObjectListView):
    model = BlockedIp
    table = tables.BlockedIpTable


class BlockedIpEditView(generic.ObjectEditView):
    model = BlockedIp
    form = forms.BlockedIpForm


class BlockedIpDeleteView(generic.ObjectDeleteView):
    model = BlockedIp

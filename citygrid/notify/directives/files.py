"""Who may download a directive's attachments: whoever may see the directive (its territory)
and its recipients; a 反馈's files, whoever may see the directive and the one who answered."""

from django.db.models import Q

from citygrid.core import files
from citygrid.notify.models import Directive, DirectiveFile


def visible(user):
    if user is None or not user.is_authenticated:
        return DirectiveFile.objects.none()
    seen = Directive.objects.restrict(user, "view").values("pk")
    received = Q(receipt=None, directive__receipts__recipient=user) | Q(receipt__recipient=user)
    return DirectiveFile.objects.filter(Q(directive__in=seen) | received).distinct()


def register_files() -> None:
    files.register("directives", ("file",), visible)

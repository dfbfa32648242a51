"""矛盾纠纷登记 in the grid app: a grid worker registers a dispute met on the round.

The form posts straight to the server and needs the network: the intake has no idempotency
key, so the outbox's retry-until-answered upload could register one dispute twice. What the
worker sees afterwards is the dispute's number and state, never the parties' names, ID numbers
or phones: those stay with the centre that assesses it.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods

from citygrid.core.errors import ActionError
from citygrid.disputes.choices import STATE_BADGE
from citygrid.disputes.intake import Registration, register_dispute
from citygrid.disputes.models import Dispute
from citygrid.mobile.forms import NEW_PARTIES, DisputeForm, PartyFormSet
from citygrid.mobile.views import page_context

# The list shows the latest ones; older disputes are followed on the desk.
MY_DISPUTES_LIMIT = 30


def _mine(user):
    return Dispute.objects.restrict(user, "view").filter(reporter=user)


def _register(request, form, parties) -> Dispute | None:
    """The dispute, or None with the refusal added to `form` (nothing was saved)."""
    data = form.cleaned_data
    registration = Registration(
        region=data["grid"],
        category=data["category"],
        title=data["title"],
        description=data["description"],
        parties=parties.parties(),
        address=data["address"],
        lng=data["lng"],
        lat=data["lat"],
        people_count=data["people_count"],
        amount=data["amount"],
        level=data["level"],
        risk_petition=data["risk_petition"],
        risk_mass_incident=data["risk_mass_incident"],
        risk_criminal=data["risk_criminal"],
    )
    try:
        return register_dispute(registration, actor=request.user)
    except ActionError as exc:
        form.add_error(None, exc.message)
    except ValidationError as exc:
        form.add_error(None, "；".join(exc.messages))
    return None


@require_http_methods(["GET", "POST"])
@ensure_csrf_cookie
@never_cache
@login_required
@permission_required("disputes.add_dispute", raise_exception=True)
def dispute_new(request):
    """登记 form: the dispute, where it is (address and the phone's position), its parties."""
    if request.method == "POST":
        form = DisputeForm(request.POST, user=request.user)
        parties = PartyFormSet(request.POST, prefix="party")
        if form.is_valid() and parties.is_valid():
            dispute = _register(request, form, parties)
            if dispute is not None:
                return redirect("mobile:dispute", dispute.pk)
        status = 400
    else:
        form = DisputeForm(user=request.user)
        parties = PartyFormSet(prefix="party", initial=NEW_PARTIES)
        status = 200
    return render(
        request,
        "mobile/dispute_form.html",
        page_context(request, form=form, parties=parties),
        status=status,
    )


@login_required
@permission_required("disputes.add_dispute", raise_exception=True)
def dispute_detail(request, dispute_id: int):
    """What became of a dispute I registered: number and state, no party data."""
    dispute = _mine(request.user).select_related("region").filter(pk=dispute_id).first()
    if dispute is None:
        raise Http404("纠纷不存在或不是您登记的")
    return render(
        request,
        "mobile/dispute_detail.html",
        page_context(request, dispute=dispute, badge=STATE_BADGE.get(dispute.state, "secondary")),
    )


@login_required
@permission_required("disputes.add_dispute", raise_exception=True)
def dispute_list(request):
    """我登记的纠纷: the latest disputes I registered, with their state."""
    rows = list(_mine(request.user).order_by("-reported_at", "-pk")[: MY_DISPUTES_LIMIT + 1])
    return render(
        request,
        "mobile/dispute_list.html",
        page_context(
            request,
            disputes=[(d, STATE_BADGE.get(d.state, "secondary")) for d in rows[:MY_DISPUTES_LIMIT]],
            more=len(rows) > MY_DISPUTES_LIMIT,
            limit=MY_DISPUTES_LIMIT,
        ),
    )

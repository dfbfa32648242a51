"""The landlord's online rental declaration (出租屋网上申报): no login, so it is guarded by a
per-IP rate limit, CSRF, and answers that reveal nothing about a house beyond "invalid code".
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_protect

from citygrid.core import ratelimit, records
from citygrid.core.middleware import client_ip
from citygrid.housing.choices import RentalSource, RentalStatus
from citygrid.housing.forms import DeclarationForm
from citygrid.housing.models import Rental

# Submissions per client IP per window: enough for a landlord with a few flats and typos,
# too few to walk through house codes.
DECLARE_LIMIT = 5
DECLARE_WINDOW = 3600  # seconds
RATE_MESSAGE = "提交过于频繁，请一小时后再试；如需帮助请联系社区网格员"
DUPLICATE_MESSAGE = "该房屋已有在租或待核实的出租登记，无需重复申报；如有变化请联系社区网格员"
RECEIPT_KEY = "housing_declaration_receipt"


def _rate_limited(request) -> bool:
    """Count this submission; True once the IP has used up its window."""
    return ratelimit.hit("housing:declare", client_ip(request), DECLARE_WINDOW) > DECLARE_LIMIT


def _create(form: DeclarationForm) -> Rental | None:
    data = form.cleaned_data
    rental = Rental(
        house=form.house,
        status=RentalStatus.PENDING,
        source=RentalSource.ONLINE,
        use=data["use"],
        landlord_name=data["landlord_name"],
        landlord_id_number=data["landlord_id_number"],
        landlord_phone=data["landlord_phone"],
        rented_area=data.get("rented_area"),
        rooms=data["rooms"],
        start_date=data["start_date"],
        end_date=data.get("end_date"),
        declared_tenants=data["declared_tenants"],
    )
    try:
        # A citizen channel: logged as the system, its rules are this form's.
        records.save_record(rental, actor=None)
    except IntegrityError:  # a declaration for the same house landed in between
        return None
    return rental


@csrf_protect
def declare(request):
    # Bound on every POST, an empty one too: a refusal is added to the form as an error.
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if _rate_limited(request):
            form.add_error(None, RATE_MESSAGE)
            status = 429
        elif form.is_valid():
            try:
                rental = _create(form)
            except ValidationError as exc:
                form.add_error(None, "；".join(exc.messages))
            else:
                if rental is None:
                    form.add_error(None, DUPLICATE_MESSAGE)
                else:
                    request.session[RECEIPT_KEY] = {
                        "rental_no": rental.rental_no,
                        "created": rental.created.strftime("%Y-%m-%d %H:%M"),
                    }
                    return redirect("housing:declare_done")
    return render(request, "housing/declare.html", {"form": form}, status=status)


def declare_done(request):
    receipt = request.session.get(RECEIPT_KEY)
    if receipt is None:
        return redirect("housing:declare")
    return render(request, "housing/declare_done.html", {"receipt": receipt})

"""The signed-in user's own import or export jobs, newest first: one page for both kinds."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from citygrid.core.models.jobs import Job

PER_PAGE = 50


@login_required
def job_list(request, model: type[Job], title: str):
    # A job is its requester's alone (its file is personal data in bulk), whoever else asks.
    jobs = model.objects.filter(user=request.user)
    page = Paginator(jobs, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "title": title, "verbose_name": model._meta.verbose_name}
    return render(request, "core/job_list.html", context)

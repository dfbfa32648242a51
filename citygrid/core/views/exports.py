"""The page of a background export: its progress while the task runs, then the download link."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from citygrid.core.io.resources import get_resource
from citygrid.core.models import ExportJob


@login_required
def exportjob(request, pk):
    # An export job is its requester's: its file is personal data selected with their scope.
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    model = get_resource(job.resource).model
    context = {"job": job, "model": model, "verbose_name": model._meta.verbose_name}
    if request.htmx:
        return render(request, "core/inc/exportjob_status.html", context)
    return render(request, "core/exportjob.html", context)

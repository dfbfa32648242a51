from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from citygrid.core import search as global_search
from citygrid.core.io.files import CONTENT_TYPES, detect_format, open_table, write_table
from citygrid.core.io.importer import row_cap
from citygrid.core.io.resources import get_resource
from citygrid.core.models import ImportJob
from citygrid.core.navigation import WIP_MODULES


@login_required
def wip(request, slug):
    if slug not in WIP_MODULES:
        raise Http404
    group, label = WIP_MODULES[slug]
    return render(request, "core/wip.html", {"group": group, "label": label})


@login_required
def search(request):
    query = request.GET.get("q", "")
    results = global_search.search(request.user, query)
    return render(request, "core/search.html", {"query": query, "results": results})


def _own_job(request, pk) -> ImportJob:
    # An import job is its uploader's: the file may hold other people's personal data.
    return get_object_or_404(ImportJob, pk=pk, user=request.user)


@login_required
def importjob(request, pk):
    job = _own_job(request, pk)
    resource = get_resource(job.resource)
    context = {"job": job, "resource": resource(), "model": resource.model}
    if request.htmx:
        return render(request, "core/inc/importjob_status.html", context)
    return render(request, "core/importjob.html", context)


@login_required
def importjob_errors(request, pk):
    """The uploaded file again, with an error column, so the user can fix it in place."""
    job = _own_job(request, pk)
    if not job.file:
        messages.error(request, "原始文件已按保留期限删除，无法生成错误文件；请重新导入")
        return redirect("core:importjob", pk=job.pk)
    fmt = detect_format(job.file_name)
    by_row: dict[int, list[str]] = {}
    for error in job.errors:
        column = f"【{error['column']}】" if error["column"] else ""
        by_row.setdefault(error["row"], []).append(column + error["message"])
    with job.file.open("rb") as fh:
        table = open_table(fh, fmt, row_cap(get_resource(job.resource)))
        width = len(table.header)
        out = (
            row + [""] * (width - len(row)) + ["；".join(by_row.get(i + 2, []))]
            for i, row in enumerate(table)
        )
        data = write_table([*table.header, "错误信息"], out, fmt)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="errors-{job.pk}.{fmt}"'
    return response


@login_required
def import_template(request, key):
    try:
        resource = get_resource(key)()
    except KeyError as exc:
        raise Http404 from exc
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    data = write_table(resource.header(), [], fmt, notes=resource.notes())
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    name = resource.model._meta.model_name
    response["Content-Disposition"] = f'attachment; filename="{name}-template.{fmt}"'
    return response

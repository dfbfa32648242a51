"""我的导出 in the browser: a user with a finished export finds its row, with the download link,
from the header of any page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from citygrid.core.models import ExportJob

pytestmark = pytest.mark.browser


def test_my_exports_shows_a_finished_export_with_its_download(page_as, make_user, server_paused):
    user = make_user()
    with server_paused:
        job = ExportJob.objects.create(
            user=user,
            resource="regions.region",
            view="citygrid.regions.views.RegionExportView",
            file="exports/2026/01/finished.xlsx",
            status=ExportJob.Status.DONE,
            total_rows=12,
            processed_rows=12,
            message="共导出 12 条",
            finished=timezone.now(),
        )
    page = page_as(user)

    page.locator("#my-exports").click()

    expect(page.locator(".page-title")).to_have_text("我的导出")
    row = page.locator("#job-list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("区域网格")
    expect(row).to_contain_text("已完成")
    expect(row).to_contain_text("共导出 12 条")
    expect(row.get_by_role("link", name="下载文件")).to_have_attribute("href", job.file.url)

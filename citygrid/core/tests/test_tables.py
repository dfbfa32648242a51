"""The table body written by `BaseTable.body_html`: what django-tables2's template wrote."""

import django_tables2 as tables
import pytest
from django.test import RequestFactory

from citygrid.core.tables import BaseTable


class Row:
    def __init__(self, name, amount):
        self.name, self.amount = name, amount


class SampleTable(BaseTable):
    name = tables.Column(verbose_name="名称")
    amount = tables.Column(verbose_name="数量", attrs={"td": {"class": "text-end"}})

    def render_amount(self, value, record):
        return f"{value}件（{record.name[:1]}）"

    class Meta(BaseTable.Meta):
        empty_text = "暂无记录"


def body(rows) -> str:
    table = SampleTable(rows)
    table.paginate(per_page=10)
    return str(table.body_html())


def test_cells_are_rendered_escaped_with_their_columns_attributes():
    html = body([Row("<b>甲</b>", 3), Row("乙", 1234)])
    assert html == (
        '<tr class="even"><td>&lt;b&gt;甲&lt;/b&gt;</td><td class="text-end">3件（&lt;）</td></tr>'
        '<tr class="odd"><td>乙</td><td class="text-end">1234件（乙）</td></tr>'
    )


def test_an_empty_table_says_so_across_every_column():
    assert body([]) == '<tr><td colspan="2">暂无记录</td></tr>'


@pytest.mark.django_db
def test_the_page_template_puts_the_body_in_the_table():
    table = SampleTable([Row("丙", 2)])
    table.paginate(per_page=10)
    html = table.as_html(RequestFactory().get("/"))
    assert '<tbody ><tr class="even"><td>丙</td>' in html and "<th" in html

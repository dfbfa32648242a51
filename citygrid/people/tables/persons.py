import django_tables2 as tables

from citygrid.core.tables import BaseTable
from citygrid.people.models import Person


class PersonTable(BaseTable):
    """The general list: identity masked, and no category labels (special groups are shown
    only on their own pages, to the roles that hold them)."""

    name = tables.Column(linkify=True)
    id_number = tables.Column(verbose_name="证件号码", orderable=False)
    phone = tables.Column(verbose_name="联系电话", orderable=False)
    sex = tables.Column(verbose_name="性别")
    ethnicity = tables.Column(verbose_name="民族")
    age = tables.Column(verbose_name="年龄", accessor="birth_date", order_by=("-birth_date",))
    region = tables.Column(verbose_name="所属网格", linkify=True)

    class Meta(BaseTable.Meta):
        model = Person
        fields = (
            "name",
            "id_number",
            "sex",
            "age",
            "ethnicity",
            "phone",
            "residence_type",
            "region",
            "status",
        )

    def render_id_number(self, value, record):
        return record.masked("id_number")

    def render_phone(self, value, record):
        return record.masked("phone")

    def render_sex(self, value, record):
        return record.get_sex_label()

    def render_ethnicity(self, value, record):
        return record.get_ethnicity_label()

    def render_age(self, value, record):
        return record.age()

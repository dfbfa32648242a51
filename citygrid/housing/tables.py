import django_tables2 as tables
from django.utils.html import format_html

from citygrid.core.tables import BaseTable
from citygrid.housing.choices import OCCUPANCY_BADGE, RENTAL_STATUS_BADGE
from citygrid.housing.models import Building, Estate, HazardCheck, House, Rental


def badge(colour: str, text) -> str:
    return format_html('<span class="badge bg-{}-lt">{}</span>', colour, text)


class EstateTable(BaseTable):
    name = tables.Column(linkify=True)
    region = tables.Column(linkify=True)
    building_count = tables.Column(verbose_name="楼栋数", orderable=False)

    class Meta(BaseTable.Meta):
        model = Estate
        fields = ("name", "region", "address", "property_company", "building_count")


class BuildingTable(BaseTable):
    name = tables.Column(linkify=True)
    estate = tables.Column(linkify=True)
    region = tables.Column(verbose_name="所属网格", linkify=True)
    use = tables.Column()

    class Meta(BaseTable.Meta):
        model = Building
        fields = ("name", "estate", "region", "use", "floors", "entrances", "houses_per_floor")

    def render_use(self, value, record):
        return record.get_use_label()


class HouseTable(BaseTable):
    code = tables.Column(linkify=True)
    building = tables.Column(linkify=True)
    region = tables.Column(verbose_name="所属网格")
    occupancy = tables.Column()
    use = tables.Column()
    owner_name = tables.Column(verbose_name="产权人", orderable=False)
    owner_phone = tables.Column(verbose_name="产权人电话", orderable=False)

    class Meta(BaseTable.Meta):
        model = House
        fields = (
            "code",
            "building",
            "entrance",
            "floor",
            "number",
            "address",
            "region",
            "occupancy",
            "use",
            "owner_name",
            "owner_phone",
        )

    def render_occupancy(self, value, record):
        return badge(OCCUPANCY_BADGE[record.occupancy], value)

    def render_use(self, value, record):
        return record.get_use_label()

    def render_owner_name(self, value, record):
        return record.masked("owner_name")

    def render_owner_phone(self, value, record):
        return record.masked("owner_phone")


class RentalTable(BaseTable):
    rental_no = tables.Column(linkify=True)
    house = tables.Column(linkify=True)
    status = tables.Column()
    landlord_name = tables.Column(verbose_name="房东姓名", orderable=False)
    landlord_phone = tables.Column(verbose_name="房东电话", orderable=False)

    class Meta(BaseTable.Meta):
        model = Rental
        fields = (
            "rental_no",
            "house",
            "status",
            "source",
            "landlord_name",
            "landlord_phone",
            "rooms",
            "start_date",
            "end_date",
            "created",
        )

    def render_status(self, value, record):
        return badge(RENTAL_STATUS_BADGE[record.status], value)

    def render_landlord_name(self, value, record):
        return record.masked("landlord_name")

    def render_landlord_phone(self, value, record):
        return record.masked("landlord_phone")


class HazardCheckTable(BaseTable):
    checked_on = tables.DateColumn(format="Y-m-d", linkify=True)
    house = tables.Column(linkify=True)
    hazard = tables.Column()

    class Meta(BaseTable.Meta):
        model = HazardCheck
        fields = ("checked_on", "house", "hazard", "result", "rectify_by", "inspector")

    def render_hazard(self, value, record):
        return record.get_hazard_label()

"""`House.map_lng/map_lat`: where maps draw a house (its own point, else its building's), filled
for existing houses by one UPDATE, then indexed (building the index once after the fill is
cheaper than maintaining it row by row during the UPDATE)."""

from django.db import migrations, models
from django.db.models import Case, F, OuterRef, Q, Subquery, When


def fill_positions(apps, schema_editor):
    House = apps.get_model("housing", "House")
    Building = apps.get_model("housing", "Building")
    own = Q(lng__isnull=False, lat__isnull=False)
    building = Building.objects.filter(pk=OuterRef("building_id"))
    House.objects.update(
        map_lng=Case(When(own, then=F("lng")), default=Subquery(building.values("lng")[:1])),
        map_lat=Case(When(own, then=F("lat")), default=Subquery(building.values("lat")[:1])),
    )


class Migration(migrations.Migration):
    dependencies = [("housing", "0003_encrypt_third_party_name_values")]

    operations = [
        migrations.AddField(
            model_name="house",
            name="map_lng",
            field=models.FloatField(blank=True, editable=False, null=True, verbose_name="地图经度"),
        ),
        migrations.AddField(
            model_name="house",
            name="map_lat",
            field=models.FloatField(blank=True, editable=False, null=True, verbose_name="地图纬度"),
        ),
        migrations.RunPython(fill_positions, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="house",
            index=models.Index(fields=["map_lng", "map_lat"], name="house_map_position_idx"),
        ),
    ]

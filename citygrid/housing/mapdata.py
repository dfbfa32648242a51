"""Estates (小区) and buildings (楼栋) as map points: only zoomed in, only in view, and never
more than a screenful, like every map endpoint (DESIGN.md §5)."""

from django.db.models import QuerySet

MAX_POINTS = 2000
# Below these zooms a city's estates or buildings would be a blur of thousands of dots.
ESTATE_MIN_ZOOM = 14
BUILDING_MIN_ZOOM = 16


def points(
    queryset: QuerySet,
    bbox: tuple[float, float, float, float] | None,
    zoom: int,
    min_zoom: int,
    url: str,
    label_fields: tuple[str, ...] = ("name",),
) -> dict:
    """GeoJSON points of `queryset` (already restricted to the user) inside `bbox`; `url` has
    `/0/` where each record's id goes, so no URL is reversed per row."""
    body = {"type": "FeatureCollection", "features": [], "min_zoom": min_zoom, "truncated": False}
    if zoom < min_zoom or bbox is None:
        return body
    west, south, east, north = bbox
    rows = queryset.filter(
        lng__gte=west, lng__lte=east, lat__gte=south, lat__lte=north
    ).values_list("pk", "lng", "lat", *label_fields)[: MAX_POINTS + 1]
    rows = list(rows)
    body["truncated"] = len(rows) > MAX_POINTS
    body["features"] = [
        {
            "type": "Feature",
            "id": pk,
            "geometry": {"type": "Point", "coordinates": [lng, lat]},
            "properties": {
                "id": pk,
                "name": " ".join(part for part in labels if part),
                "url": url.replace("/0/", f"/{pk}/"),
            },
        }
        for pk, lng, lat, *labels in rows[:MAX_POINTS]
    ]
    return body

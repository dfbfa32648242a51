"""Parsing and measuring boundary polygons (GeoJSON or WKT, WGS-84/CGCS2000 lng/lat)."""

import json

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

_GEOD = Geod(ellps="WGS84")  # CGCS2000's ellipsoid differs from WGS-84 by < 0.1 mm here


class GeometryError(ValueError):
    """A boundary that cannot be stored; `message` is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_boundary(value) -> BaseGeometry:
    """A valid Polygon/MultiPolygon from a GeoJSON dict or string, a Feature, or WKT."""
    if isinstance(value, BaseGeometry):
        geom = value
    else:
        try:
            if isinstance(value, str):
                text = value.strip()
                value = json.loads(text) if text.startswith("{") else text
            if isinstance(value, dict):
                if value.get("type") == "Feature":
                    value = value.get("geometry") or {}
                geom = shape(value)
            else:
                geom = shapely.from_wkt(value)
        except Exception as exc:
            raise GeometryError("边界格式无法识别，请使用 GeoJSON 或 WKT") from exc
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise GeometryError(f"边界必须是面（Polygon/MultiPolygon），而不是 {geom.geom_type}")
    if geom.is_empty:
        raise GeometryError("边界不能为空")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError("边界坐标超出经纬度范围，请使用 WGS-84/CGCS2000 经纬度")
    if not geom.is_valid:
        raise GeometryError(f"边界自相交或不闭合：{shapely.is_valid_reason(geom)}")
    return geom


def geodesic_area_m2(geom: BaseGeometry) -> float:
    area, _ = _GEOD.geometry_area_perimeter(geom)
    return abs(area)


def to_geojson(geom: BaseGeometry, precision: int = 7) -> dict:
    """GeoJSON rounded to ~1 cm; vertex order is kept so saving twice changes nothing."""
    rounded = shapely.transform(geom, lambda coords: np.round(coords, precision))
    return json.loads(shapely.to_geojson(rounded))

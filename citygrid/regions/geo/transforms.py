"""Conversions between WGS-84, GCJ-02 and BD-09 longitude/latitude (standards/README.md §8.2).

We store WGS-84/CGCS2000 only; positions from AMap/Tencent (GCJ-02) or Baidu (BD-09) SDKs are
converted on receipt with `to_wgs84`, and back only when drawing on those base maps.
All functions take and return (longitude, latitude) in degrees.
"""

from __future__ import annotations

from collections.abc import Callable
from math import atan2, cos, pi, sin, sqrt

# The GCJ-02 offset is defined on the Krasovsky 1940 ellipsoid.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
_BD_X_PI = pi * 3000.0 / 180.0

Point = tuple[float, float]


def out_of_china(lng: float, lat: float) -> bool:
    """True outside the rectangle where map vendors apply the offset.

    The rectangle also covers parts of neighbouring countries; this matches what the vendors do,
    which is what matters for converting their coordinates.
    """
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _lat_offset(x: float, y: float) -> float:
    result = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(abs(x))
    result += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    result += (20.0 * sin(y * pi) + 40.0 * sin(y / 3.0 * pi)) * 2.0 / 3.0
    result += (160.0 * sin(y / 12.0 * pi) + 320.0 * sin(y * pi / 30.0)) * 2.0 / 3.0
    return result


def _lng_offset(x: float, y: float) -> float:
    result = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(abs(x))
    result += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    result += (20.0 * sin(x * pi) + 40.0 * sin(x / 3.0 * pi)) * 2.0 / 3.0
    result += (150.0 * sin(x / 12.0 * pi) + 300.0 * sin(x / 30.0 * pi)) * 2.0 / 3.0
    return result


def wgs84_to_gcj02(lng: float, lat: float) -> Point:
    """Apply the GCJ-02 offset (a few hundred metres) to a WGS-84 position."""
    if out_of_china(lng, lat):
        return lng, lat
    x, y = lng - 105.0, lat - 35.0
    rad_lat = lat / 180.0 * pi
    m = 1.0 - _KRASOVSKY_EE * sin(rad_lat) ** 2
    sqrt_m = sqrt(m)
    # The offsets come out in metres; divide by the meridian and parallel radii to get degrees.
    d_lat = _lat_offset(x, y) * 180.0 / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (m * sqrt_m) * pi)
    d_lng = _lng_offset(x, y) * 180.0 / (_KRASOVSKY_A / sqrt_m * cos(rad_lat) * pi)
    return lng + d_lng, lat + d_lat


def gcj02_to_wgs84(lng: float, lat: float, *, eps: float = 1e-9, max_iter: int = 30) -> Point:
    """Invert the GCJ-02 offset by fixed-point iteration (no closed form exists).

    A single step is only good to 1–2 m; iterating reaches centimetres in 3–5 steps.
    """
    if out_of_china(lng, lat):
        return lng, lat
    w_lng, w_lat = lng, lat
    for _ in range(max_iter):
        g_lng, g_lat = wgs84_to_gcj02(w_lng, w_lat)
        d_lng, d_lat = g_lng - lng, g_lat - lat
        w_lng, w_lat = w_lng - d_lng, w_lat - d_lat
        if abs(d_lng) < eps and abs(d_lat) < eps:
            break
    return w_lng, w_lat


def gcj02_to_bd09(lng: float, lat: float) -> Point:
    """Apply Baidu's extra offset on top of GCJ-02."""
    z = sqrt(lng * lng + lat * lat) + 0.00002 * sin(lat * _BD_X_PI)
    theta = atan2(lat, lng) + 0.000003 * cos(lng * _BD_X_PI)
    return z * cos(theta) + 0.0065, z * sin(theta) + 0.006


def bd09_to_gcj02(lng: float, lat: float) -> Point:
    """Remove Baidu's offset; approximate, to about 0.1 m."""
    x, y = lng - 0.0065, lat - 0.006
    z = sqrt(x * x + y * y) - 0.00002 * sin(y * _BD_X_PI)
    theta = atan2(y, x) - 0.000003 * cos(x * _BD_X_PI)
    return z * cos(theta), z * sin(theta)


def wgs84_to_bd09(lng: float, lat: float) -> Point:
    """WGS-84 to BD-09, through GCJ-02."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng: float, lat: float) -> Point:
    """BD-09 to WGS-84, through GCJ-02."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


def _identity(lng: float, lat: float) -> Point:
    return lng, lat


# CGCS2000 and WGS-84 differ by centimetres, below what any captured position resolves.
_TO_WGS84: dict[str, Callable[[float, float], Point]] = {
    "wgs84": _identity,
    "cgcs2000": _identity,
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}


def to_wgs84(lng: float, lat: float, crs: str) -> Point:
    """Convert a position captured in `crs` ("wgs84", "cgcs2000", "gcj02", "bd09") to WGS-84."""
    try:
        convert = _TO_WGS84[crs]
    except KeyError:
        raise ValueError(
            f"unknown coordinate system {crs!r}; expected one of {', '.join(_TO_WGS84)}"
        ) from None
    return convert(lng, lat)

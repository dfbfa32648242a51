import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citygrid.regions.geo.transforms import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

Point = tuple[float, float]

TOLERANCE = 1e-6

# (WGS-84, GCJ-02, BD-09) from standards/README.md §8.2.
VECTORS = [
    pytest.param(
        (116.397428, 39.909230), (116.403672, 39.910634), (116.410044, 39.916973), id="beijing"
    ),
    pytest.param(
        (120.619585, 31.299379), (120.623762, 31.297201), (120.630214, 31.303313), id="suzhou"
    ),
    pytest.param(
        (113.264385, 23.129112), (113.269715, 23.126435), (113.276136, 23.132723), id="guangzhou"
    ),
]


def box(min_lng: float, max_lng: float, min_lat: float, max_lat: float) -> st.SearchStrategy[Point]:
    return st.tuples(
        st.floats(min_value=min_lng, max_value=max_lng),
        st.floats(min_value=min_lat, max_value=max_lat),
    )


# China within the vendors' rectangle, kept a little inside its edges so an offset point stays
# inside too. North of 50°N only the Greater Khingan belongs to China; the rest of that corner
# of the rectangle is Russia, where the offset grows past 0.01°.
POINTS_IN_CHINA = st.one_of(box(73.7, 135.0, 3.9, 50.0), box(119.0, 127.0, 50.0, 53.5))


def assert_close(actual: Point, expected: Point, tol: float) -> None:
    assert abs(actual[0] - expected[0]) < tol, (actual, expected)
    assert abs(actual[1] - expected[1]) < tol, (actual, expected)


@pytest.mark.parametrize(("wgs", "gcj", "bd"), VECTORS)
def test_standard_vectors(wgs: Point, gcj: Point, bd: Point) -> None:
    assert_close(wgs84_to_gcj02(*wgs), gcj, TOLERANCE)
    assert_close(gcj02_to_wgs84(*gcj), wgs, TOLERANCE)
    assert_close(gcj02_to_bd09(*gcj), bd, TOLERANCE)
    assert_close(bd09_to_gcj02(*bd), gcj, TOLERANCE)
    assert_close(wgs84_to_bd09(*wgs), bd, TOLERANCE)
    assert_close(bd09_to_wgs84(*bd), wgs, TOLERANCE)


@pytest.mark.parametrize(("wgs", "gcj", "bd"), VECTORS)
def test_to_wgs84_from_each_system(wgs: Point, gcj: Point, bd: Point) -> None:
    assert to_wgs84(*wgs, "wgs84") == wgs
    assert to_wgs84(*wgs, "cgcs2000") == wgs
    assert_close(to_wgs84(*gcj, "gcj02"), wgs, TOLERANCE)
    assert_close(to_wgs84(*bd, "bd09"), wgs, TOLERANCE)


@pytest.mark.parametrize("crs", ["", "WGS84", "epsg:4326", "bd09mc"])
def test_to_wgs84_rejects_unknown_system(crs: str) -> None:
    with pytest.raises(ValueError, match="unknown coordinate system"):
        to_wgs84(116.4, 39.9, crs)


@pytest.mark.parametrize(
    "point", [(139.69, 35.69), (2.35, 48.86), (73.66, 39.9), (116.4, 53.55), (-74.0, 40.7)]
)
def test_points_outside_china_are_unchanged(point: Point) -> None:
    assert out_of_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point
    assert to_wgs84(*point, "gcj02") == point


def test_points_inside_china_are_inside() -> None:
    assert not out_of_china(116.397428, 39.909230)
    assert not out_of_china(73.67, 3.87)


@given(POINTS_IN_CHINA)
def test_wgs_gcj_wgs_round_trip(point: Point) -> None:
    assert_close(gcj02_to_wgs84(*wgs84_to_gcj02(*point)), point, 1e-6)


@given(POINTS_IN_CHINA)
def test_gcj_bd_gcj_round_trip(point: Point) -> None:
    assert_close(bd09_to_gcj02(*gcj02_to_bd09(*point)), point, 1e-5)


@given(POINTS_IN_CHINA)
def test_gcj_offset_inside_china_is_small_but_present(point: Point) -> None:
    lng, lat = wgs84_to_gcj02(*point)
    offset = math.hypot(lng - point[0], lat - point[1])
    assert 0 < offset < 0.01

"""The version-comparison map: one polygon per unit with geometry, centred diverging colours."""

from __future__ import annotations

from app.figures.admin import difference_map


def test_difference_map_is_centred_and_skips_units_without_polygons():
    units = [
        {"ubigeo": "01", "name": "Amazonas", "has_geometry": True},
        {"ubigeo": "02", "name": "Áncash", "has_geometry": True},
        {"ubigeo": "99", "name": "Sin polígono", "has_geometry": False},
    ]
    fig = difference_map(units, {"01": -2.5, "02": 1.0, "99": 4.0}, "/geo/departments.geojson")
    trace = fig.data[0]
    assert list(trace.locations) == ["01", "02"]
    assert list(trace.z) == [-2.5, 1.0]
    assert (trace.zmin, trace.zmid, trace.zmax) == (-2.5, 0, 2.5)
    assert trace.geojson == "/geo/departments.geojson"  # referenced by URL, never embedded

"""Downloads for policy makers and GIS users: region PDF reports, CSV, GeoPackage and GeoJSON."""

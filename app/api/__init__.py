"""JSON API, version 1 (``/api/v1``)."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from app import services
from app.services import BadRequestError
from app.web.responses import shared_json

log = logging.getLogger(__name__)

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")


@bp.errorhandler(BadRequestError)
def _bad_request(exc: BadRequestError):
    body = {"error": "bad_request", "parameter": exc.parameter, "message": exc.message}
    if exc.allowed is not None:
        body["allowed"] = exc.allowed
    return jsonify(body), 400


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return jsonify({"error": exc.name.lower().replace(" ", "_"), "message": exc.description}), exc.code


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):  # pragma: no cover - last resort, logged with traceback
    log.exception("unhandled API error")
    return jsonify({"error": "internal_error", "message": "unexpected error; it has been logged"}), 500


@bp.get("/health")
def health():
    return jsonify(services.health())


@bp.get("/regions")
@shared_json("level")
def regions():
    level = services.check_level(request.args.get("level"))
    return jsonify(services.regions(level))


@bp.get("/indicators")
@shared_json("level", "indicator", "year", "age_group")
def indicators():
    level = services.check_level(request.args.get("level"))
    indicator = services.check_indicator(request.args.get("indicator"))
    year = services.check_year(request.args.get("year"))
    age_group = services.check_age_group(request.args.get("age_group"))
    return jsonify(services.indicator_records(level, indicator, year, age_group))


@bp.get("/estimates")
@shared_json("level", "indicator", "year", "method")
def estimates():
    level = services.check_level(request.args.get("level"))
    indicator = services.check_indicator(request.args.get("indicator"))
    method = services.check_method(request.args.get("method"))
    return jsonify(services.estimate_records(level, indicator, request.args.get("year"), method))


@bp.get("/explanations/<ubigeo>")
def explanations(ubigeo: str):
    indicator = services.check_indicator(request.args.get("indicator"))
    lang = services.check_lang(request.args.get("lang"))
    body = services.explanation(ubigeo, indicator, lang)
    if body is None:
        return jsonify(
            {"error": "not_found", "message": f"no department, province or district with UBIGEO {ubigeo!r}"}
        ), 404
    return jsonify(body)


def _export_params() -> tuple[str, str, str, str | None]:
    level = services.check_level(request.args.get("level"))
    indicator = services.check_indicator(request.args.get("indicator"))
    method = services.check_method(request.args.get("method"))
    return level, indicator, method, request.args.get("year")


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/estimates.csv")
def estimates_csv():
    level, indicator, method, year = _export_params()
    from app.exports.tables import to_csv_bytes

    frame, _meta = services.export_frame(level, indicator, method, year)
    name = f"nutrimapa_{indicator}_{level}_{method}_{frame['anio'].iloc[0]}.csv"
    resp = _download(to_csv_bytes(frame), "text/csv", name)
    query = urlencode({"level": level, "indicator": indicator, "method": method, **({"year": year} if year else {})})
    resp.headers["Link"] = f'</api/v1/estimates.meta.json?{query}>; rel="describedby"'
    return resp


@bp.get("/estimates.meta.json")
def estimates_meta():
    level, indicator, method, year = _export_params()
    return jsonify(services.export_frame(level, indicator, method, year)[1])


@bp.get("/estimates.<fmt>")
def estimates_gis(fmt: str):
    if fmt not in ("gpkg", "geojson"):
        return jsonify({"error": "not_found", "message": "formats: csv, gpkg, geojson"}), 404
    level, indicator, method, year = _export_params()
    from app.exports.tables import to_geojson_bytes, to_geopackage_bytes, with_geometry

    frame, _meta = services.export_frame(level, indicator, method, year)
    gdf = with_geometry(frame, services.get_store().regions.level(level))
    name = f"nutrimapa_{indicator}_{level}_{method}_{frame['anio'].iloc[0]}"
    if fmt == "gpkg":
        return _download(to_geopackage_bytes(gdf, name), "application/geopackage+sqlite3", f"{name}.gpkg")
    return _download(to_geojson_bytes(gdf), "application/geo+json", f"{name}.geojson")


@bp.get("/reports/<ubigeo>.pdf")
def report_pdf(ubigeo: str):
    lang = services.check_lang(request.args.get("lang"))
    from app.exports.reports import national_report, region_report

    body = national_report(lang) if ubigeo in ("peru", "pe") else region_report(ubigeo, lang)
    if body is None:
        return jsonify(
            {"error": "not_found", "message": f"no department, province or district with UBIGEO {ubigeo!r}"}
        ), 404
    return _download(body, "application/pdf", f"nutrimapa_{ubigeo}_{lang}.pdf")


@bp.route("/<path:_unknown>")
def not_found(_unknown: str):
    return jsonify({"error": "not_found", "message": f"no API route /api/v1/{_unknown}"}), 404

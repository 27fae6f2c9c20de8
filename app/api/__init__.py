"""JSON API, version 1 (``/api/v1``)."""

from __future__ import annotations

import logging
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from app import services
from app.api import schemas as sc
from app.api.openapi import doc
from app.services import BadRequestError
from app.web import responses
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


@bp.get("/openapi.json")
@doc("This document: OpenAPI 3.1 for /api/v1 and /admin/api", tags=("meta",))
def openapi_document():
    from flask import current_app

    from app.api.openapi import build

    cached = current_app.extensions.setdefault("nutrimapa_openapi", {})
    if "doc" not in cached:
        cached["doc"] = build(current_app)
    return jsonify(cached["doc"])


@bp.get("/health")
@doc("Service status, survey version and region counts", responses={200: sc.Health}, tags=("meta",))
def health():
    return jsonify(services.health())


@bp.get("/regions")
@doc("Regions of a level with parent codes and covariates", query=sc.LevelQuery, responses={200: (sc.Region,)})
@shared_json("level")
def regions():
    level = services.check_level(request.args.get("level"))
    return jsonify(services.regions(level))


@bp.get("/indicators")
@doc(
    "Direct survey estimates (percent) for every region of a level",
    query=sc.IndicatorsQuery,
    responses={200: (sc.DirectEstimate,)},
)
@shared_json("level", "indicator", "year", "age_group")
def indicators():
    level = services.check_level(request.args.get("level"))
    indicator = services.check_indicator(request.args.get("indicator"))
    year = services.check_year(request.args.get("year"))
    age_group = services.check_age_group(request.args.get("age_group"))
    return jsonify(services.indicator_records(level, indicator, year, age_group))


@bp.get("/estimates")
@doc(
    "Model-based (every region, with interval) or direct estimates",
    query=sc.EstimatesQuery,
    responses={200: (sc.MethodEstimate,)},
)
@shared_json("level", "indicator", "year", "method")
def estimates():
    level = services.check_level(request.args.get("level"))
    indicator = services.check_indicator(request.args.get("indicator"))
    method = services.check_method(request.args.get("method"))
    return jsonify(services.estimate_records(level, indicator, request.args.get("year"), method))


@bp.get("/explanations/<ubigeo>")
@doc(
    "Why the model says what it says for one region (SHAP)", query=sc.ExplanationQuery, responses={200: sc.Explanation}
)
def explanations(ubigeo: str):
    indicator = services.check_indicator(request.args.get("indicator"))
    lang = services.check_lang(request.args.get("lang"))
    body = services.explanation(ubigeo, indicator, lang, request.args.get("year"))
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
@doc("One map view as a documented CSV table", query=sc.EstimatesQuery, media="text/csv", tags=("exports",))
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
@doc("The metadata sidecar of an export", query=sc.EstimatesQuery, responses={200: sc.ExportMeta}, tags=("exports",))
def estimates_meta():
    level, indicator, method, year = _export_params()
    return jsonify(services.export_frame(level, indicator, method, year)[1])


@bp.get("/estimates.<any(gpkg, geojson):fmt>")
@doc(
    "One map view with geometry, as GeoPackage or GeoJSON",
    query=sc.EstimatesQuery,
    media=("application/geopackage+sqlite3", "application/geo+json"),
    tags=("exports",),
)
def estimates_gis(fmt: str):
    level, indicator, method, year = _export_params()
    from app.exports.tables import to_geojson_bytes, to_geopackage_bytes, with_geometry

    frame, _meta = services.export_frame(level, indicator, method, year)
    gdf = with_geometry(frame, services.get_store().regions.level(level))
    name = f"nutrimapa_{indicator}_{level}_{method}_{frame['anio'].iloc[0]}"
    if fmt == "gpkg":
        return _download(to_geopackage_bytes(gdf, name), "application/geopackage+sqlite3", f"{name}.gpkg")
    return _download(to_geojson_bytes(gdf), "application/geo+json", f"{name}.geojson")


@bp.get("/reports/<ubigeo>.pdf")
@doc(
    "A printable report of Peru (peru) or of one region", query=sc.LangQuery, media="application/pdf", tags=("exports",)
)
def report_pdf(ubigeo: str):
    lang = services.check_lang(request.args.get("lang"))
    from app.exports.reports import national_report, region_report

    # Made once per (versions, region, language) and shared by every worker: a report takes 0.1-0.3 s of CPU.
    key = responses.shared_key("report", f"{ubigeo}:{lang}:{date.today().isoformat()}")  # the report is dated
    entry = responses.lookup(key, "reports")
    if entry is None:
        body = national_report(lang) if ubigeo in ("peru", "pe") else region_report(ubigeo, lang)
        if body is None:
            return jsonify(
                {"error": "not_found", "message": f"no department, province or district with UBIGEO {ubigeo!r}"}
            ), 404
        entry = responses.make_entry(body, compress=False)  # PDF streams are compressed already
        responses.keep(key, entry)
    return _download(entry.plain(), "application/pdf", f"nutrimapa_{ubigeo}_{lang}.pdf")


@bp.route("/<path:_unknown>")
def not_found(_unknown: str):
    return jsonify({"error": "not_found", "message": f"no API route /api/v1/{_unknown}"}), 404

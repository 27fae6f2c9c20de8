"""JSON API, version 1 (``/api/v1``)."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from app import services
from app.services import BadRequestError

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
def regions():
    level = services.check_level(request.args.get("level"))
    return jsonify(services.regions(level))


@bp.get("/indicators")
def indicators():
    level = services.check_level(request.args.get("level"))
    indicator = services.check_indicator(request.args.get("indicator"))
    year = services.check_year(request.args.get("year"))
    age_group = services.check_age_group(request.args.get("age_group"))
    return jsonify(services.indicator_records(level, indicator, year, age_group))


@bp.get("/estimates")
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


@bp.route("/<path:_unknown>")
def not_found(_unknown: str):
    return jsonify({"error": "not_found", "message": f"no API route /api/v1/{_unknown}"}), 404

"""Admin JSON API under ``/admin/api`` (login required by the guard; unsafe methods need the CSRF token).

The Dash admin pages call the same functions; this API is for scripts and tests.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request, send_file
from flask_login import current_user
from werkzeug.exceptions import NotFound

from app.admin import accounts, datasets, get_db, runs, versions
from app.api import schemas as sc
from app.api.openapi import doc
from app.data.errors import SurveyValidationError
from app.services import BadRequestError, check_indicator, check_level, forget_active_model, get_store

bp = Blueprint("admin_api", __name__, url_prefix="/admin/api")
# Row ids are 32-bit integers in PostgreSQL (64-bit in SQLite): larger ids cannot exist.
MAX_ID = 2**31 - 1
AUDIT_LIMIT = 500


@bp.before_request
def _ids_in_range() -> None:
    """An id no row can have is a 404, not a database overflow (a 500); checked after the login guard."""
    for name, value in (request.view_args or {}).items():
        if name.endswith("_id") and isinstance(value, int) and not 0 < value <= MAX_ID:
            raise NotFound(f"no {name.removesuffix('_id')} with id {value}")


def actor():
    return current_user._get_current_object()


def _error(status: int, error: str, message: str, **extra):
    return jsonify({"error": error, "message": message, **extra}), status


@bp.errorhandler(BadRequestError)
def _bad_request(exc: BadRequestError):
    return _error(400, "bad_request", exc.message, parameter=exc.parameter, allowed=exc.allowed)


@bp.get("/me")
@doc("The signed-in admin", responses={200: sc.Me}, tags=("admin",))
def me():
    return jsonify({"username": current_user.username})


@bp.get("/datasets")
@doc("Uploaded survey datasets, newest first", responses={200: (sc.Dataset,)}, tags=("admin",))
def list_datasets():
    with get_db().session() as s:
        return jsonify(datasets.list_datasets(s))


@bp.post("/datasets")
@doc(
    "Upload survey files: validated, kept pending with a report",
    files=True,
    responses={201: sc.Dataset, 422: sc.SurveyRejected},
    tags=("admin",),
)
def upload():
    settings = get_store().settings
    with datasets.incoming(settings) as folder:
        uploads = []
        for f in request.files.getlist("files"):
            uploads.append(datasets.receive(f.filename or "upload", f.stream, folder, settings.max_upload_mb * 2**20))
            f.close()  # werkzeug spools big parts to temporary files: close them now
        try:
            ds = datasets.upload(get_db(), get_store(), uploads, actor(), request.remote_addr)
        except SurveyValidationError as exc:
            return jsonify({**exc.to_dict(), "message": str(exc)}), 422
    return jsonify(datasets.as_dict(ds)), 201


@bp.post("/datasets/<int:dataset_id>/<any(accept, discard):action>")
@doc(
    "Accept (serve) or discard a pending dataset",
    responses={200: sc.Dataset, 422: sc.SurveyRejected},
    tags=("admin",),
)
def decide(dataset_id: int, action: str):
    who = (actor(), request.remote_addr)
    try:
        with get_db().session() as s:
            if action == "accept":
                ds = datasets.accept(s, get_store(), dataset_id, *who)
            else:
                ds = datasets.discard(s, dataset_id, *who)
            return jsonify(datasets.as_dict(ds))
    except datasets.DatasetError as exc:
        return _error(409, "dataset", str(exc))
    except SurveyValidationError as exc:
        return jsonify({**exc.to_dict(), "message": str(exc)}), 422


@bp.get("/runs")
@doc("Training runs, newest first", responses={200: (sc.Run,)}, tags=("admin",))
def list_runs():
    with get_db().session() as s:
        return jsonify(runs.list_runs(s))


@bp.post("/runs")
@doc("Start a training run (one at a time)", body=sc.RunParams, responses={202: sc.Run}, tags=("admin",))
def start_run():
    raw = request.get_json(silent=True) or {}
    db = get_db()
    try:
        run = runs.start(db, get_store(), actor(), raw, request.remote_addr)
    except runs.RunError as exc:
        return _error(409 if exc.field == "run" else 400, "run", str(exc), parameter=exc.field)
    with db.session() as s:
        return jsonify(runs.get(s, run.id)), 202


@bp.get("/runs/<int:run_id>")
@doc("One training run with its log", responses={200: sc.Run}, tags=("admin",))
def get_run(run_id: int):
    with get_db().session() as s:
        try:
            return jsonify(runs.get(s, run_id))
        except runs.RunError as exc:
            return _error(404, "run", str(exc))


@bp.post("/runs/<int:run_id>/cancel")
@doc("Ask a queued or running training run to stop", responses={200: sc.Run}, tags=("admin",))
def cancel_run(run_id: int):
    with get_db().session() as s:
        try:
            run = runs.cancel(s, run_id, actor(), request.remote_addr)
        except runs.RunError as exc:
            return _error(409, "run", str(exc))
        return jsonify(runs.as_dict(run))


@bp.get("/models")
@doc("Model versions with metrics, newest first", responses={200: (sc.ModelVersion,)}, tags=("admin",))
def list_models():
    with get_db().session() as s:
        return jsonify(versions.list_versions(s, get_store().settings.models_dir))


@bp.post("/models/<version>/promote")
@doc("Serve a model version", responses={200: sc.Activation}, tags=("admin",))
def promote(version: str):
    models_dir = get_store().settings.models_dir
    try:
        with get_db().session() as s:
            act = versions.promote(s, models_dir, version, actor(), request.remote_addr)
    except versions.VersionError as exc:
        return _error(409, "model", str(exc))
    forget_active_model()  # committed: this worker serves it now, the others within a second
    return jsonify({"active": act.version, "previous": act.previous})


@bp.post("/models/rollback")
@doc("Serve the previously active model version again", responses={200: sc.Activation}, tags=("admin",))
def rollback():
    models_dir = get_store().settings.models_dir
    try:
        with get_db().session() as s:
            act = versions.rollback(s, models_dir, actor(), request.remote_addr)
    except versions.VersionError as exc:
        return _error(409, "model", str(exc))
    forget_active_model()
    return jsonify({"active": act.version, "previous": act.previous})


@bp.get("/models/compare")
@doc("Compare two model versions region by region", query=sc.CompareQuery, tags=("admin",))
def compare():
    level = check_level(request.args.get("level"))
    indicator = check_indicator(request.args.get("indicator"))
    try:
        return jsonify(
            versions.compare(
                get_store().settings.models_dir,
                request.args.get("a", ""),
                request.args.get("b", ""),
                level,
                indicator,
                request.args.get("year"),
            )
        )
    except versions.VersionError as exc:
        return _error(400, "model", str(exc))


@bp.get("/models/<version>/tips.<any(tflite, json):kind>")
@doc(
    "Download a version's on-device tip model (.tflite) or its metadata (.json)",
    media=("application/octet-stream", "application/json"),
    tags=("admin",),
)
def tip_model(version: str, kind: str):
    try:
        path = versions.tip_file(get_store().settings.models_dir, version, kind)
    except versions.VersionError as exc:
        return _error(404, "model", str(exc))
    mimetype = "application/octet-stream" if kind == "tflite" else "application/json"
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=f"nutrimapa-tips-{version}.{kind}")


def _limit(raw: str | None, default: int = 50) -> int:
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= AUDIT_LIMIT:
        raise BadRequestError("limit", f"limit must be a whole number from 1 to {AUDIT_LIMIT}; got {raw!r}")
    return int(raw)


@bp.get("/audit")
@doc("The audit log, newest first", query=sc.AuditQuery, responses={200: (sc.AuditEntry,)}, tags=("admin",))
def audit_log():
    limit = _limit(request.args.get("limit"))
    with get_db().session() as s:
        return jsonify(accounts.recent_audit(s, limit))

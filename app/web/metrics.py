"""``/metrics`` for the dashboard, and the request hooks that feed it.

Every request is counted and timed by its URL rule template (Dash pages by their
registered path template, Dash callbacks by their registered output id), so a bot
walking random paths adds no series. Model, survey and training-run figures are
read at scrape time from the served state and the admin database, so every
worker answers alike. Only allowed networks, or a bearer token, may scrape.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from app import metrics as m
from app.config import Settings
from app.metrics import web as wm

log = logging.getLogger(__name__)
RSS_EVERY_S = 2.0
_PAGE_SIZE = 4096
_rss_checked = [0.0]  # monotonic time of this process's last RSS reading


def init_app(
    server: Flask,
    settings: Settings,
    callback_ids: Callable[[], Iterable[str]],
    page_paths: Callable[[], Iterable[str]],
) -> None:
    """Register the hooks and the ``/metrics`` route.

    Args:
        callback_ids: the registered Dash callbacks' output ids (read once, on the first callback).
        page_paths: the registered Dash pages' paths or path templates.
    """
    state = {"callbacks": None, "pages": None, "callback_ids": callback_ids, "page_paths": page_paths}
    server.extensions["nutrimapa_metrics"] = state
    wm.WORKERS.set(1)

    @server.before_request
    def _start() -> None:
        g._metrics_start = time.perf_counter()

    @server.after_request
    def _observe(response: Response) -> Response:
        start = g.pop("_metrics_start", None)
        if start is not None:
            _record(state, response.status_code, time.perf_counter() - start)
        return response

    @server.get("/metrics")
    def metrics_endpoint():
        auth = request.headers.get("Authorization")
        if not m.scrape_allowed(request.remote_addr, auth, settings.metrics_allow, settings.metrics_token):
            abort(403)
        body, ctype = m.exposition(settings.metrics_dir, [_Scraped(scrape_families(settings))])
        return Response(body, content_type=ctype, headers={"Cache-Control": "no-store"})


def warm(server: Flask) -> None:
    """Compute the scrape-time figures once (drift reference, model quality) so the first scrape is fast too."""
    try:
        with server.app_context():
            scrape_families(server.extensions["nutrimapa"].settings)
    except Exception:  # never stop a worker from booting: the first scrape will compute them instead
        log.exception("could not precompute the scrape-time metrics")


def _route_label(state: dict) -> str:
    rule = request.url_rule
    if rule is None:
        return "unmatched"
    if "<path:" not in rule.rule and rule.rule != "/":
        return rule.rule
    # Dash's catch-all page route: name the registered page, if any.
    if state["pages"] is None:
        state["pages"] = [
            (p, re.compile("^" + re.sub(r"<[^>]+>", "[^/]+", re.escape(p)) + "/?$")) for p in state["page_paths"]()
        ]
    path = request.path
    for template, pat in state["pages"]:
        if pat.match(path):
            return template
    return rule.rule if not rule.rule.endswith("<path:path>") else "unmatched"


def _callback_label(state: dict) -> str:
    if state["callbacks"] is None:
        state["callbacks"] = frozenset(state["callback_ids"]())
    body = request.get_json(silent=True, cache=True)
    output = body.get("output") if isinstance(body, dict) else None
    return output if output in state["callbacks"] else "unknown"


def _record(state: dict, status: int, elapsed: float) -> None:
    route = _route_label(state)
    method = wm.method_label(request.method)
    wm.HTTP_REQUESTS.labels(route=route, method=method, status=wm.status_class(status)).inc()
    wm.HTTP_DURATION.labels(route=route, method=method).observe(elapsed)
    if route.endswith("_dash-update-component") and request.method == "POST":
        cb = _callback_label(state)
        wm.CALLBACKS.labels(callback=cb, status=wm.status_class(status)).inc()
        wm.CALLBACK_DURATION.labels(callback=cb).observe(elapsed)
    now = time.monotonic()
    if now - _rss_checked[0] > RSS_EVERY_S:
        _rss_checked[0] = now
        with contextlib.suppress(OSError):  # not Linux: no RSS figure
            wm.WORKER_RSS.set(int(Path("/proc/self/statm").read_text().split()[1]) * _PAGE_SIZE)


class _Scraped(Collector):
    def __init__(self, families: list) -> None:
        self._families = families

    def collect(self):
        return iter(self._families)


_MODEL_CACHE: dict[tuple, tuple[dict, dict]] = {}


def model_state(settings: Settings, survey) -> tuple[str | None, dict, dict[str, float], dict]:
    """Active version, its metadata, the served survey's drift against it, and holdout quality (cached)."""
    from app import monitoring
    from app.services import model_artefacts

    try:
        art = model_artefacts()
    except FileNotFoundError:
        return None, {}, {}, {}
    key = (str(settings.instance_dir), art.version, survey.version)
    if key not in _MODEL_CACHE:
        search = monitoring.search_folders(settings.survey_files, settings.instance_dir)
        ref = monitoring.load_or_build_reference(settings.instance_dir, art.version, art.metadata, survey.table, search)
        drift = monitoring.drift(ref, monitoring.newest_year_features(survey.table))
        _MODEL_CACHE.clear()
        _MODEL_CACHE[key] = (drift, monitoring.quality(art.metadata))
    drift, quality = _MODEL_CACHE[key]
    return art.version, art.metadata, drift, quality


def scrape_families(settings: Settings) -> list:
    """Gauges read from the served state at scrape time: model, drift, survey age, training runs."""
    from app.services import get_store
    from training import registry

    ns = m.NAMESPACE
    store = get_store()
    survey = store.survey
    now = time.time()
    out = []
    newest = survey.latest_year
    s_info = GaugeMetricFamily(f"{ns}_survey_info", "The served survey.", labels=["version"])
    s_info.add_metric([survey.version], 1)
    end_of_year = datetime(newest, 12, 31, tzinfo=UTC).timestamp()
    out += [
        s_info,
        GaugeMetricFamily(f"{ns}_survey_newest_year", "Newest year in the served survey.", value=newest),
        GaugeMetricFamily(f"{ns}_survey_rows", "Children in the served survey.", value=len(survey.table)),
        GaugeMetricFamily(
            f"{ns}_survey_age_seconds",
            "Time since the end of the served survey's newest year.",
            value=now - end_of_year,
        ),
    ]
    version, metadata, drift, quality = model_state(settings, survey)
    out.append(
        GaugeMetricFamily(
            f"{ns}_model_versions",
            "Complete model versions in the registry.",
            value=len(registry.versions(settings.models_dir)),
        )
    )
    if version is not None:
        info = GaugeMetricFamily(f"{ns}_model_info", "The active model version.", labels=["version"])
        info.add_metric([version], 1)
        created = datetime.fromisoformat(metadata["created_at"]).timestamp()
        age = GaugeMetricFamily(
            f"{ns}_model_age_seconds", "Time since the active model was trained.", value=now - created
        )
        psi = GaugeMetricFamily(
            f"{ns}_model_feature_drift_psi",
            "Population stability index of each feature, served survey's newest year vs the model's training data.",
            labels=["feature"],
        )
        for feature, value in drift.items():
            psi.add_metric([feature], value)
        fams = {
            k: GaugeMetricFamily(f"{ns}_model_{k}", h, labels=["target"])
            for k, h in (
                ("auc", "Holdout AUC of the active model (newest years at training)."),
                ("brier", "Holdout Brier score of the active model."),
                ("calibration_error", "Holdout expected calibration error (mean |predicted - observed| over deciles)."),
            )
        }
        for target, q in quality.items():
            for k, fam in fams.items():
                fam.add_metric([target], q[k])
        out += [info, age, psi, *fams.values()]
    out += _training_families(ns)
    return out


_OUTCOMES = ("succeeded", "failed", "cancelled")
_DURATION_BUCKETS = (60, 300, 900, 1800, 3600, 7200, 14400)


def _training_families(ns: str) -> list:
    from sqlalchemy import func, select

    from app.db.models import TrainingRun

    runs = CounterMetricFamily(f"{ns}_training_runs", "Training runs finished, by outcome.", labels=["outcome"])
    active = GaugeMetricFamily(f"{ns}_training_runs_active", "Training runs queued or running.")
    hist = HistogramMetricFamily(
        f"{ns}_training_run_duration_seconds", "Duration of finished training runs.", labels=["outcome"]
    )
    db = current_app.extensions["nutrimapa_db"]
    try:
        with db.session() as s:
            counts = dict(s.execute(select(TrainingRun.status, func.count()).group_by(TrainingRun.status)).all())
            finished = s.execute(
                select(TrainingRun.status, TrainingRun.started_at, TrainingRun.finished_at).where(
                    TrainingRun.finished_at.is_not(None), TrainingRun.started_at.is_not(None)
                )
            ).all()
    except Exception as exc:  # an unmigrated or unreachable database: say so in the log, serve the rest
        log.warning("training runs unavailable for /metrics: %s", type(exc).__name__)
        return []
    for outcome in _OUTCOMES:
        runs.add_metric([outcome], counts.get(outcome, 0))
        durations = [(_aware(f) - _aware(st)).total_seconds() for status, st, f in finished if status == outcome]
        buckets = [[str(b), sum(d <= b for d in durations)] for b in _DURATION_BUCKETS]
        buckets.append(["+Inf", len(durations)])
        hist.add_metric([outcome], buckets, sum(durations))
    active.add_metric([], counts.get("queued", 0) + counts.get("running", 0))
    return [runs, active, hist]


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=UTC)

"""What the dashboard's web workers record: requests by route, Dash callbacks, the response cache, workers."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from app.metrics import LATENCY_BUCKETS, NAMESPACE

# route: a URL rule template ("/api/v1/estimates", "/district/<ubigeo>") or "unmatched";
# method: GET/POST/HEAD/OPTIONS/other; status: 2xx/3xx/4xx/5xx.
HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered.", ["route", "method", "status"], namespace=NAMESPACE
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["route", "method"],
    namespace=NAMESPACE,
    buckets=LATENCY_BUCKETS,
)
# callback: a registered Dash callback's output id, or "unknown".
CALLBACKS = Counter("dash_callbacks_total", "Dash callbacks run.", ["callback", "status"], namespace=NAMESPACE)
CALLBACK_DURATION = Histogram(
    "dash_callback_duration_seconds",
    "Time to run a Dash callback (the whole request).",
    ["callback"],
    namespace=NAMESPACE,
    buckets=LATENCY_BUCKETS,
)
# cache: "responses" (serialised API JSON); result: hit/miss.
CACHE_REQUESTS = Counter("cache_requests_total", "Response cache look-ups.", ["cache", "result"], namespace=NAMESPACE)
WORKERS = Gauge("web_workers", "Live web worker processes.", namespace=NAMESPACE, multiprocess_mode="livesum")
WORKER_RSS = Gauge(
    "web_worker_resident_memory_bytes",
    "Resident memory of the largest live web worker.",
    namespace=NAMESPACE,
    multiprocess_mode="livemax",
)

METHODS = frozenset({"GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})


def status_class(code: int) -> str:
    return f"{code // 100}xx" if 100 <= code < 600 else "other"


def method_label(method: str) -> str:
    return method if method in METHODS else "other"

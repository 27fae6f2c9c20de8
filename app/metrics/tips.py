"""Metric names for the tips service (issue 13) and its MQTT delivery (issue 14).

The tips service imports these and records them; the Grafana tips dashboard and
the alert rules in ``deploy/prometheus/`` refer to exactly these names. Label
values come from the fixed tuples below: call :func:`touch` once at start-up so
every series exists at zero before the first send.

Serving them from the tips service (FastAPI), with the dashboard's access rule::

    from app.metrics import exposition, scrape_allowed

    @app.get("/metrics")
    def metrics(request: Request):
        auth = request.headers.get("authorization")
        if not scrape_allowed(request.client.host, auth, settings.metrics_allow, settings.metrics_token):
            raise HTTPException(403)
        body, ctype = exposition(settings.metrics_dir)
        return Response(body, media_type=ctype)
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from app.metrics import NAMESPACE

CHANNELS = ("sms", "app")
ARMS = ("a", "b")  # A/B test of tip models: the arm, never the model version
FAILURE_REASONS = ("broker", "rejected", "expired", "other")
FEEDBACK = ("useful", "not_useful")

TIPS_CHOSEN = Counter("tips_chosen_total", "Weekly tips chosen by the tip model.", ["arm"], namespace=NAMESPACE)
TIPS_SENT = Counter("tips_sent_total", "Tips published (PUBACK received).", ["channel", "arm"], namespace=NAMESPACE)
TIPS_DELIVERED = Counter(
    "tips_delivered_total",
    "Tips confirmed delivered (receipt from the phone or the SMS gateway).",
    ["channel", "arm"],
    namespace=NAMESPACE,
)
TIPS_FAILED = Counter(
    "tips_failed_total", "Tip sends that failed for good.", ["channel", "reason"], namespace=NAMESPACE
)
TIPS_FEEDBACK = Counter(
    "tips_feedback_total", "Caregiver replies about the last tip.", ["arm", "answer"], namespace=NAMESPACE
)
MQTT_CONNECTED = Gauge(
    "mqtt_connected",
    "1 while the service is connected to the MQTT broker.",
    namespace=NAMESPACE,
    multiprocess_mode="liveall",
)
SUBSCRIBERS = Gauge(
    "tips_subscribers",
    "Enrolled caregivers by channel.",
    ["channel"],
    namespace=NAMESPACE,
    multiprocess_mode="mostrecent",
)


def touch() -> None:
    """Create every labelled series at zero (rates, ratios and alerts need them before the first event)."""
    for arm in ARMS:
        TIPS_CHOSEN.labels(arm=arm)
        for answer in FEEDBACK:
            TIPS_FEEDBACK.labels(arm=arm, answer=answer)
        for channel in CHANNELS:
            TIPS_SENT.labels(channel=channel, arm=arm)
            TIPS_DELIVERED.labels(channel=channel, arm=arm)
    for channel in CHANNELS:
        SUBSCRIBERS.labels(channel=channel)
        for reason in FAILURE_REASONS:
            TIPS_FAILED.labels(channel=channel, reason=reason)

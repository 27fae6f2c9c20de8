"""Metric names for the tips service (issue 13) and its MQTT delivery (issue 14).

The Grafana tips dashboard and the alert rules in ``deploy/prometheus/`` refer to exactly these names.

Two kinds, because the events happen in different processes:

* **Outcomes** (tips chosen, sent on PUBACK, delivered or failed by a gateway's receipt, replies, leavers,
  subscribers by channel) are already written to the database where they happen: ``tip_sends`` rows by
  ``tips.weekly`` (chosen), by ``tips.delivery.outbox`` (``status='sent'`` on PUBACK) and by the
  consumer (``receipt``); ``tip_events`` rows for replies and leavers; ``tip_subscribers``. Most of these
  writes are made by the CLI (``send-week`` under cron or Celery beat, ``consume``), in processes that
  Prometheus never scrapes and that may have exited before a scrape. So the tips service reads them at
  scrape time (:func:`outcome_families`, counters as totals): exact, whichever process or host did the
  work, and unchanged by restarts.
* **Process state** lives in the process: requests by route (the tips service's gunicorn workers,
  multiprocess mode) and the broker connection of the publisher and the consumer (:data:`MQTT_CONNECTED`);
  ``tips.cli consume`` serves its own ``/metrics`` for it, and for what it dropped
  (:data:`GATEWAY_MESSAGES`).

Every label takes its values from the fixed tuples below; anything else is left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Gauge
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from app.metrics import NAMESPACE

CHANNELS = ("sms", "app")
ARMS = ("a", "b", "none")  # A/B test of tip models: the arm (none: no test ran), never the model version
FAILURE_REASONS = ("gateway",)  # the gateway or phone reported the tip undeliverable (receipt "failed")
FEEDBACK = ("useful", "not_useful")
LEAVES = ("reply", "erased")  # BAJA by SMS or MQTT; DELETE /v1/subscribers/{id} (every erasure)
# What `tips.cli consume` did with a gateway message (tips.delivery.consumer.handle).
GATEWAY_OUTCOMES = (
    *(f"ok:{a}" for a in ("leave", "rejoin", "useful", "not_useful", "help", "delivered", "failed")),
    *(
        f"dropped:{r}"
        for r in (
            "bad_format",
            "bad_number",
            "unknown_subscriber",
            "unknown_send",
            "too_large",
            "bad_topic",
            "not_utf8",
            "error",
        )
    ),
)

MQTT_CONNECTED = Gauge(
    "mqtt_connected",
    "1 while this process (tips consumer or publisher) is connected to the MQTT broker.",
    ["client"],
    namespace=NAMESPACE,
    multiprocess_mode="liveall",
)
MQTT_CLIENTS = ("consumer", "publisher")
GATEWAY_MESSAGES = Counter(
    "tips_gateway_messages_total",
    "Gateway messages (inbound SMS, receipts) handled by the consumer, by outcome.",
    ["outcome"],
    namespace=NAMESPACE,
)


def gateway_outcome(outcome: str) -> str:
    """``outcome`` if it is one of the fixed values, else ``dropped:error`` (bounded labels)."""
    return outcome if outcome in GATEWAY_OUTCOMES else "dropped:error"


def touch_consumer() -> None:
    """Create the consumer's series at zero (the broker alert needs the gauge before the first connect)."""
    MQTT_CONNECTED.labels(client="consumer").set(0)
    for outcome in GATEWAY_OUTCOMES:
        GATEWAY_MESSAGES.labels(outcome=outcome)


def outcome_families(
    sends: Iterable[tuple[str | None, str, str, str | None, int]],
    events: Iterable[tuple[str, str | None, str | None, int]],
    subscribers: Iterable[tuple[str, int]],
) -> list:
    """The outcome metrics from database counts; every labelled series is present (zero when nothing happened).

    Args:
        sends: ``(arm, channel, status, receipt, count)`` grouped over ``tip_sends``.
        events: ``(kind, channel, arm, count)`` grouped over ``tip_events``.
        subscribers: ``(channel, count)`` of active subscribers.
    """
    ns = NAMESPACE
    chosen = dict.fromkeys(ARMS, 0)
    sent = {(c, a): 0 for c in CHANNELS for a in ARMS}
    delivered = dict(sent)
    failed = {(c, r): 0 for c in CHANNELS for r in FAILURE_REASONS}
    for raw_arm, channel, status, receipt, n in sends:
        arm = raw_arm or "none"
        if arm not in chosen or channel not in CHANNELS:
            continue
        chosen[arm] += n
        if status == "sent":
            sent[channel, arm] += n
            if receipt == "delivered":
                delivered[channel, arm] += n
            elif receipt == "failed":
                failed[channel, "gateway"] += n
    feedback = {(a, f): 0 for a in ARMS for f in FEEDBACK}
    leaves = {(c, h): 0 for c in CHANNELS for h in LEAVES}
    for kind, channel, raw_arm, n in events:
        arm = raw_arm or "none"
        if kind in FEEDBACK and arm in ARMS:
            feedback[arm, kind] += n
        elif kind == "leave" and channel in CHANNELS:
            leaves[channel, "reply"] += n
        elif kind == "erase" and channel in CHANNELS:
            leaves[channel, "erased"] += n
    active = dict.fromkeys(CHANNELS, 0)
    for channel, n in subscribers:
        if channel in active:
            active[channel] += n

    def counter(name: str, doc: str, labels: list[str], values: dict) -> CounterMetricFamily:
        fam = CounterMetricFamily(f"{ns}_{name}", doc, labels=labels)
        for key, value in values.items():
            fam.add_metric(list(key) if isinstance(key, tuple) else [key], value)
        return fam

    subs = GaugeMetricFamily(f"{ns}_tips_subscribers", "Active caregivers by channel.", labels=["channel"])
    for channel, value in active.items():
        subs.add_metric([channel], value)
    return [
        counter("tips_chosen", "Weekly tips chosen by the tip model.", ["arm"], chosen),
        counter("tips_sent", "Tips published (PUBACK received).", ["channel", "arm"], sent),
        counter(
            "tips_delivered",
            "Tips confirmed delivered (receipt from the phone or the SMS gateway).",
            ["channel", "arm"],
            delivered,
        ),
        counter("tips_failed", "Tip sends that failed for good.", ["channel", "reason"], failed),
        counter("tips_feedback", "Caregiver replies about the last tip.", ["arm", "answer"], feedback),
        counter("tips_leaves", "Caregivers who left: BAJA replies and erasures.", ["channel", "how"], leaves),
        subs,
    ]

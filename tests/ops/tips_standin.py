"""STAND-IN for the tips service's /metrics, used only by tests/ops/test_prometheus.py.

The tips service (issue 13) is built on another branch. Until it lands, this
process exports exactly the metric names it will record (app/metrics/tips.py,
plus the shared HTTP metrics) so the Grafana tips dashboard and the tips alert
rules are checked against real names. Replace it with the real service in that
test once ``tips.main:app`` exists.

Usage: python -m tests.ops.tips_standin PORT
"""

from __future__ import annotations

import sys
import time


def main(port: int) -> None:
    from prometheus_client import start_http_server

    from app.metrics import tips, web

    tips.touch()
    tips.MQTT_CONNECTED.set(1)
    for channel, n in (("sms", 3), ("app", 5)):
        tips.SUBSCRIBERS.labels(channel=channel).set(n)
    start_http_server(port, addr="127.0.0.1")
    deadline = time.monotonic() + 600  # never outlives a stuck test by long
    while time.monotonic() < deadline:
        for arm in tips.ARMS:
            tips.TIPS_CHOSEN.labels(arm=arm).inc()
            tips.TIPS_SENT.labels(channel="sms", arm=arm).inc()
            tips.TIPS_DELIVERED.labels(channel="sms", arm=arm).inc()
            tips.TIPS_FEEDBACK.labels(arm=arm, answer="useful").inc()
        web.HTTP_REQUESTS.labels(route="/v1/tips/preview", method="GET", status="2xx").inc()
        web.HTTP_DURATION.labels(route="/v1/tips/preview", method="GET").observe(0.004)
        time.sleep(0.5)


if __name__ == "__main__":
    main(int(sys.argv[1]))

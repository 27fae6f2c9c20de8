"""Prometheus metrics shared by the dashboard, the Celery worker and the tips service.

No Flask, Dash or FastAPI import here: each service imports the definitions it
records and serves them with :func:`exposition`. Names follow
``nutrimapa_<name>_<unit>`` (``_total`` for counters, base units); every label
takes its values from a fixed set (route templates, registered callbacks,
outcomes, channels), never from raw paths, ids or user input.

Several processes (gunicorn workers, Celery pool children) write their samples
to files in ``PROMETHEUS_MULTIPROC_DIR``; one scrape sums them. That variable
must be set before ``prometheus_client`` is first imported (the gunicorn config
and the Celery worker do it).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.registry import Collector

NAMESPACE = "nutrimapa"
# Seconds; dense under 0.5 s where the latency targets are.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


def exposition(multiproc_dir: Path | None, collectors: Iterable[Collector] = ()) -> tuple[bytes, str]:
    """The text exposition of this service: every process's samples plus ``collectors`` (read at scrape time).

    Args:
        multiproc_dir: the multiprocess folder, or None for this process's registry alone.
        collectors: scrape-time collectors (model, survey, training runs) added to a fresh registry.
    """
    if multiproc_dir is not None:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(multiproc_dir))
    else:
        from prometheus_client import REGISTRY

        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
    for c in collectors:
        registry.register(c)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def scrape_allowed(
    remote_addr: str | None, authorization: str | None, networks: Iterable[str], token: str | None
) -> bool:
    """Whether a caller may read ``/metrics``: the bearer token, or an address in ``networks`` (CIDR strings).

    The same rule for every service (the dashboard's Flask hook, the tips service's FastAPI route).
    """
    if token and hmac.compare_digest((authorization or "").encode(), f"Bearer {token}".encode()):
        return True
    try:
        addr = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    return any(addr in ipaddress.ip_network(n, strict=False) for n in networks)


class _Forward(Collector):
    """The process-wide registry seen through another registry (so scrape-time collectors can join it)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self):
        return self._registry.collect()

    def describe(self):
        return []

"""Real services on 127.0.0.1: used when reachable; with REQUIRE_SERVICES=1 (CI) they must be."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import services_required


def require_port(port: int, name: str) -> None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return
    except OSError:
        if services_required():
            pytest.fail(f"{name} on 127.0.0.1:{port} is required (REQUIRE_SERVICES=1) but not reachable")
        pytest.skip(f"{name} not reachable on 127.0.0.1:{port}")

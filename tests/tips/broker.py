"""A Mosquitto of the test's own (Debian package) on a free loopback port, with the project's ACL and a
password file made by ``deploy/mosquitto/make-users.sh`` (``mosquitto_passwd``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from app.config import ROOT
from tests.conftest import services_required
from tests.tips.conftest import free_port

SERVICE_PW, GATEWAY_PW = "service-secret-1", "gateway-secret-1"


class Mosquitto:
    def __init__(self, folder: Path, users: list[str], extra: str = "") -> None:
        """``extra``: more configuration lines (another listener, TLS)."""
        if shutil.which("mosquitto") is None or shutil.which("mosquitto_passwd") is None:
            if services_required():
                pytest.fail(
                    "mosquitto and mosquitto_passwd are required (REQUIRE_SERVICES=1): apt-get install mosquitto"
                )
            pytest.skip("mosquitto not installed")
        self.folder, self.port = folder, free_port()
        subprocess.run(
            [str(ROOT / "deploy/mosquitto/make-users.sh"), str(folder / "passwd"), str(folder / "acl"), *users],
            check=True,
            capture_output=True,
        )
        (folder / "mosquitto.conf").write_text(
            f"user root\nper_listener_settings false\nallow_anonymous false\n"
            f"password_file {folder / 'passwd'}\nacl_file {folder / 'acl'}\n"
            f"persistence true\npersistence_location {folder}/\nmax_queued_messages 200000\n"
            f"listener {self.port} 127.0.0.1\n{extra}"
        )
        self.proc = None

    def start(self) -> None:
        log = (self.folder / "mosquitto.log").open("ab")
        self.proc = subprocess.Popen(["mosquitto", "-c", str(self.folder / "mosquitto.conf")], stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail("mosquitto did not start: " + (self.folder / "mosquitto.log").read_text())

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def url(self, user: str = "nutrimapa-tips", password: str = SERVICE_PW) -> str:
        return f"mqtt://{user}:{password}@127.0.0.1:{self.port}"

"""Load test: locust (headless) against gunicorn on loopback; prints a JSON report.

``python -m bench.load_bench``. Two runs, both with 100 concurrent users on 2 gunicorn workers:

1. the visitor mix (bench/locustfile.py ``VisitorUser``) for ``LOAD_DURATION`` (the issue's target: 2m;
   no errors, p95 <= 500 ms for callbacks and pages, PDFs p95 <= 2 s, worker RSS flat);
2. ``/api/v1/estimates?level=district`` without think time for ``API_DURATION`` (target >= 500 req/s, p95 <= 300 ms).

Then ``/metrics`` is scraped 50 times (target <= 50 ms). With Redis on 127.0.0.1:6379 the response cache is
shared (database 10, flushed). Locust runs on the same 2 cores as the server, so its own CPU use lowers
the figures; say so when quoting them.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
USERS = int(os.environ.get("LOAD_USERS", "100"))
LOAD_DURATION = os.environ.get("LOAD_DURATION", "2m")
API_DURATION = os.environ.get("API_DURATION", "30s")
REDIS_URL = "redis://127.0.0.1:6379/10"
RSS_EVERY_S = int(os.environ.get("RSS_EVERY_S", "15"))
TARGETS = {"page_callback_p95_ms": 500, "pdf_p95_ms": 2000, "api_rps": 500, "api_p95_ms": 300, "scrape_ms": 50}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def get(url: str, timeout: float = 60) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # loopback only
        return resp.read()


def worker_rss_mb(master: int) -> list[float]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            out.append(round(int(fields[21]) * 4096 / 2**20, 1))
    return sorted(out)


def run_locust(host: str, user_class: str, duration: str, prefix: Path) -> dict:
    cmd = [
        str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary",
        "-u", str(USERS), "-r", str(max(USERS // 5, 1)), "-t", duration, "--host", host,
        "--csv", str(prefix), "--stop-timeout", "10", "--loglevel", "WARNING", user_class,
    ]  # fmt: skip
    subprocess.run(cmd, cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
            }
    return rows


def main() -> None:
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="nutrimapa-load-"))
    env = {**os.environ, "NUTRIMAPA_INSTANCE_DIR": str(work / "instance"), "PYTHONPATH": str(ROOT)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    shared = redis_up()
    if shared:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        env["REDIS_URL"] = REDIS_URL
    subprocess.run(
        [sys.executable, "-m", "app.cli", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120",
         "--backlog", "2048", "app.wsgi:server"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(work / "gunicorn.log").open("wb"),
    )  # fmt: skip
    try:
        for _ in range(240):
            try:
                get(f"{host}/api/v1/health", 2)
                break
            except OSError:
                time.sleep(0.5)
        for path in ("/", "/api/v1/estimates?level=district", "/api/v1/estimates?level=department"):
            get(host + path)
        rss_before = worker_rss_mb(server.pid)
        series: list[list[float]] = []
        done = threading.Event()

        def sample() -> None:  # every RSS_EVERY_S during the mix: flat means a plateau, not a slope
            while not done.wait(RSS_EVERY_S):
                series.append(worker_rss_mb(server.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        mix = run_locust(host, "VisitorUser", LOAD_DURATION, work / "mix")
        done.set()
        sampler.join()
        rss_after = worker_rss_mb(server.pid)
        api = run_locust(host, "ApiUser", API_DURATION, work / "api")
        scrapes = []
        for _ in range(50):
            t = time.perf_counter()
            get(f"{host}/metrics")
            scrapes.append((time.perf_counter() - t) * 1000)
        metrics_text = get(f"{host}/metrics").decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
    pages = {k: v for k, v in mix.items() if k.startswith(("page", "callback"))}
    api_row = api.get("api estimates district", {})
    report = {
        "machine": f"{os.cpu_count()} cores, server and locust sharing them",
        "users": USERS,
        "shared_cache": "redis" if shared else "embedded",
        "visitor_mix": {"duration": LOAD_DURATION, "endpoints": mix},
        "visitor_mix_summary": {
            "failures": sum(v["failures"] for v in mix.values() if v is not mix.get("Aggregated")),
            "page_callback_worst_p95_ms": max((v["p95_ms"] for v in pages.values()), default=None),
            "pdf_p95_ms": mix.get("pdf", {}).get("p95_ms"),
            "worker_rss_mb_before": rss_before,
            "worker_rss_mb_after": rss_after,
            f"worker_rss_mb_every_{RSS_EVERY_S}s": series,
        },
        "api_estimates_district": {"duration": API_DURATION, **api_row},
        "metrics_scrape_ms": {
            "p50": round(statistics.median(scrapes), 1),
            "p95": round(sorted(scrapes)[int(len(scrapes) * 0.95) - 1], 1),
            "series": sum(1 for line in metrics_text.splitlines() if line.startswith("nutrimapa_")),
        },
        "targets": TARGETS,
    }
    sys.stdout.write(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

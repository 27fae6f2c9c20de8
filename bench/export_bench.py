"""Export benchmark: report time per region and memory over 1,891 district reports (JSON report).

``python -m bench.export_bench``. Target: a report takes <= 2 s; RSS does not grow
materially over a loop of every district's report.
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import sys
import time
from pathlib import Path

from app import create_app

TARGET_REPORT_S = 2.0


def rss_mb() -> float:
    """Current resident set size (Linux /proc), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    app = create_app()
    client = app.server.test_client()
    districts = [r["ubigeo"] for r in client.get("/api/v1/regions?level=district").get_json()]
    report: dict = {"target_report_s": TARGET_REPORT_S}
    samples = {}
    for label, ubigeo in (("department", "21"), ("province", "2101"), ("district", "210101"), ("peru", "peru")):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            assert client.get(f"/api/v1/reports/{ubigeo}.pdf").status_code == 200
            times.append(time.perf_counter() - t0)
        samples[label] = {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}
    report["report_seconds"] = samples
    for fmt in ("csv", "gpkg", "geojson"):
        t0 = time.perf_counter()
        size = len(client.get(f"/api/v1/estimates.{fmt}?level=district").data)
        report[f"district_{fmt}"] = {"seconds": round(time.perf_counter() - t0, 3), "bytes": size}

    gc.collect()
    warm = districts[:50]
    for u in warm:  # warm caches first so growth means a leak, not a cache filling
        client.get(f"/api/v1/reports/{u}.pdf")
    gc.collect()
    before = rss_mb()
    t0 = time.perf_counter()
    times = []
    checkpoints = []
    for i, u in enumerate(districts, start=1):
        t1 = time.perf_counter()
        resp = client.get(f"/api/v1/reports/{u}.pdf")
        assert resp.status_code == 200, u
        times.append(time.perf_counter() - t1)
        if i % 400 == 0:
            gc.collect()
            checkpoints.append({"reports": i, "rss_mb": round(rss_mb(), 1)})
    gc.collect()
    after = rss_mb()
    times.sort()
    report["all_district_reports"] = {
        "count": len(districts),
        "total_s": round(time.perf_counter() - t0, 1),
        "median_s": round(statistics.median(times), 3),
        "p95_s": round(times[int(0.95 * len(times))], 3),
        "max_s": round(times[-1], 3),
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "rss_growth_mb": round(after - before, 1),
        "rss_checkpoints": checkpoints,
    }
    report["meets_targets"] = {
        "report_le_2s": max(s["max_s"] for s in samples.values()) <= TARGET_REPORT_S and times[-1] <= TARGET_REPORT_S
    }
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

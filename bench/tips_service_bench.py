"""Tips service benchmark: preview latency under load, the weekly choice for 100,000 subscribers, SMS sizes.

``python -m bench.tips_service_bench [--clients 50] [--requests 6000] [--subscribers 100000]`` starts the
real service (gunicorn, 2 uvicorn workers, as ``make run``) on a free loopback port with a throw-away
SQLite database, and prints a JSON report. The subscribers are synthetic (random districts, ages, sexes).
Targets: preview p95 <= 20 ms at 50 clients; weekly choice <= 10 s; text/plain <= 300 bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _client(port: int, paths: list[str], latencies: list[float], accept: str) -> None:
    """One keep-alive HTTP/1.1 connection sending its requests one after another (a light client: the
    load generator shares the 2 cores with the service)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for path in paths:
            request = f"GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: {accept}\r\n\r\n".encode()
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head.decode(errors="replace"))
    finally:
        writer.close()


async def _load(port: int, paths: list[str], clients: int, accept: str) -> tuple[list[float], float]:
    latencies: list[float] = []
    share = [paths[i::clients] for i in range(clients)]
    start = time.perf_counter()
    await asyncio.gather(*(_client(port, p, latencies, accept) for p in share))
    return latencies, time.perf_counter() - start


def _percentiles(latencies: list[float]) -> dict:
    ms = np.array(latencies) * 1000
    return {q: round(float(np.percentile(ms, int(q[1:]))), 2) for q in ("p50", "p95", "p99")}


def preview_bench(settings_env: dict, districts: list[str], clients: int, requests: int) -> dict:
    port = _free_port()
    cmd = [sys.executable, "-m", "gunicorn", "tips.main:app", "--bind", f"127.0.0.1:{port}", "--workers", "2",
           "--config", "tips/gunicorn_conf.py"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=settings_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.2)
        rng = np.random.default_rng(0)
        paths = [
            f"/v1/tips/preview?ubigeo={districts[d]}&age_months={a}&sex={'fm'[s]}&lang={('es', 'en')[lang]}"
            for d, a, s, lang in zip(
                rng.integers(0, len(districts), requests),
                rng.integers(0, 60, requests),
                rng.integers(0, 2, requests),
                rng.integers(0, 2, requests),
                strict=True,
            )
        ]
        asyncio.run(_load(port, paths[:200], clients, "application/json"))  # both workers up, model loaded
        cold_lat, cold_s = asyncio.run(_load(port, paths, clients, "application/json"))  # each profile new
        json_lat, json_s = asyncio.run(_load(port, paths, clients, "application/json"))  # cached answers
        text_lat, text_s = asyncio.run(_load(port, paths, clients, "text/plain"))
        sample = httpx.get(f"http://127.0.0.1:{port}{paths[0]}", headers={"Accept": "text/plain"})
        gz = httpx.get(f"http://127.0.0.1:{port}{paths[0]}", headers={"Accept-Encoding": "gzip"})
        return {
            "clients": clients,
            "requests": requests,
            "json_first_time_ms": _percentiles(cold_lat),
            "json_first_time_requests_per_s": round(requests / cold_s),
            "json_ms": _percentiles(json_lat),
            "json_requests_per_s": round(requests / json_s),
            "text_plain_ms": _percentiles(text_lat),
            "text_plain_requests_per_s": round(requests / text_s),
            "sample_text_plain_bytes": len(sample.content),
            "sample_json_bytes": len(gz.content),
            "sample_json_gzip_bytes": int(gz.headers.get("content-length", 0)),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def weekly_bench(settings, n: int) -> dict:
    from sqlalchemy import insert

    from app.db import Database
    from app.db.models import TipSubscriber
    from tips.bank import load_bank
    from tips.model import ModelSource
    from tips.weekly import Profiles, choose, choose_week

    model = ModelSource(settings.models_dir).current()
    bank = load_bank(categories=model.categories)
    rng = np.random.default_rng(1)
    districts = list(model.districts)
    profiles = Profiles(  # synthetic subscribers
        ids=np.arange(n),
        ubigeo=[districts[i] for i in rng.integers(0, len(districts), n)],
        age=rng.integers(0, 60, n),
        female=rng.integers(0, 2, n).astype("float32"),
        language=[("es", "en")[i] for i in rng.integers(0, 2, n, dtype=int)],
    )
    start = time.perf_counter()
    choice = choose(model, bank, profiles, "2026-W49")
    choose_s = time.perf_counter() - start
    chosen = int((choice.category >= 0).sum())

    db = Database.from_settings(settings)
    db.upgrade()
    # born so that the child is ``age`` months old on Monday 2026-11-30 (see tips.choice.age_months)
    births = [divmod(2026 * 12 + 10 - a, 12) for a in profiles.age.tolist()]
    births = [(y, m + 1) for y, m in births]
    rows = [
        {"public_id": f"{i:032x}", "phone_hash": f"{i:064x}", "phone_enc": "synthetic", "ubigeo": u,
         "birth_year": by, "birth_month": bm, "sex": "f" if f else "m", "language": lang, "channel": "sms",
         "status": "active"}
        for i, u, (by, bm), f, lang in zip(profiles.ids.tolist(), profiles.ubigeo, births, profiles.female,
                                           profiles.language, strict=True)
    ]  # fmt: skip
    with db.session() as s:
        s.execute(insert(TipSubscriber), rows)
    start = time.perf_counter()
    with db.session() as s:
        out = choose_week(s, model, bank, date(2026, 12, 2))
    db_s = time.perf_counter() - start
    db.dispose()
    return {
        "subscribers": n,
        "synthetic": True,
        "choice_batched_tflite_s": round(choose_s, 3),
        "chosen": chosen,
        "choose_week_with_sqlite_s": round(db_s, 3),
        "choose_week_rows": out["chosen"],
    }


def sizes() -> dict:
    from tips import sms
    from tips.bank import load_bank

    bank = load_bank()
    return {
        "tips": len(bank.tips),
        "max_text_plain_bytes": max(len(t.text.encode()) for t in bank.tips),
        "max_units": {
            enc: max((sms.units(t.text, enc) for t in bank.tips if t.encoding == enc), default=0)
            for enc in (sms.GSM7, sms.UCS2)
        },
        "encodings": {enc: sum(t.encoding == enc for t in bank.tips) for enc in (sms.GSM7, sms.UCS2)},
    }


def main(argv: list[str] | None = None) -> int:
    from dataclasses import replace

    from app.config import Settings
    from training import registry

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--subscribers", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(Settings(), instance_dir=Path(tmp) / "instance", database_url=None)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(settings.to_env(), NUTRIMAPA_TIPS_PREVIEW_LIMIT="1000000")
        meta_path = settings.models_dir / registry.active_version(settings.models_dir) / "tips" / "tip_model.json"
        districts = list(json.loads(meta_path.read_text(encoding="utf-8"))["districts"]["rows"])
        report = {
            "cpus": os.cpu_count(),
            "preview": preview_bench(env, districts, args.clients, args.requests),
            "weekly": weekly_bench(settings, args.subscribers),
            "sms": sizes(),
        }
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

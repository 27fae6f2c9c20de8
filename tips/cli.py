"""Tips service command line: partner API keys, the weekly choice, fresh phone keys.

    python -m tips.cli create-key clinic-a      # prints the key once; only its SHA-256 is stored
    python -m tips.cli revoke-key clinic-a
    python -m tips.cli list-keys
    python -m tips.cli choose-week [--date 2026-12-07]
    python -m tips.cli send-week [--date 2026-12-07]   # choose, then publish the outbox (MQTT_URL); make send-tips
    python -m tips.cli ab-start v1 v2 [--split 0.5]   # A/B test of tip models; ab-stop ends it
    python -m tips.cli consume                  # gateways' inbound SMS and receipts over MQTT (a long-running process;
                                                # /metrics on NUTRIMAPA_TIPS_CONSUMER_METRICS_PORT, 9541)
    python -m tips.cli new-phone-keys           # values for NUTRIMAPA_TIPS_PHONE_KEY / _HASH_KEY

Uses ``DATABASE_URL`` when set, else the SQLite file in the instance folder (``make db`` migrates it).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, date, datetime

from app.config import Settings
from app.db import Database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tips.cli", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-key", help="a new API key for a partner gateway (shown once)")
    create.add_argument("name")
    revoke = sub.add_parser("revoke-key", help="refuse a partner's key from now on")
    revoke.add_argument("name")
    sub.add_parser("list-keys", help="partner keys (names and dates, never the keys)")
    week = sub.add_parser("choose-week", help="choose this week's tip for every active subscriber")
    week.add_argument("--date", type=date.fromisoformat, default=None, help="a day of the week (default: today)")
    send = sub.add_parser("send-week", help="choose this week's tips, then publish every pending send (MQTT_URL)")
    send.add_argument("--date", type=date.fromisoformat, default=None, help="a day of the week (default: today)")
    send.add_argument("--batch", type=int, default=1000, help="publishes per batch (each batch waits for its PUBACKs)")
    ab_start = sub.add_parser("ab-start", help="A/B test two tip-model versions (split by a keyed hash)")
    ab_start.add_argument("version_a")
    ab_start.add_argument("version_b")
    ab_start.add_argument("--split", type=float, default=0.5, help="share of subscribers in arm a (default 0.5)")
    sub.add_parser("ab-stop", help="stop the running A/B test")
    sub.add_parser("consume", help="act on gateways' inbound SMS and receipts from MQTT_URL (until stopped)")
    sub.add_parser("new-phone-keys", help="print a fresh Fernet key and hash key for the environment")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the schema check is not news

    if args.command == "new-phone-keys":
        from tips.privacy import new_keys

        keys = new_keys()
        sys.stdout.write(f"NUTRIMAPA_TIPS_PHONE_KEY={keys['phone_key']}\nNUTRIMAPA_TIPS_HASH_KEY={keys['hash_key']}\n")
        return 0
    settings = Settings.from_env()
    db = Database.from_settings(settings)
    try:
        if not db.is_current():
            sys.stderr.write("the database schema is not up to date: run `python -m app.cli db upgrade` first\n")
            return 2
        from tips import keys

        if args.command == "consume":
            return _consume(settings, db)
        with db.session() as s:
            if args.command == "create-key":
                sys.stdout.write(keys.create_key(s, args.name) + "\n")
            elif args.command == "revoke-key":
                if not keys.revoke_key(s, args.name):
                    raise ValueError(f"no live key named {args.name!r}")
                sys.stdout.write(f"key {args.name!r} revoked\n")
            elif args.command == "ab-start":
                from tips import ab

                experiment = ab.start(s, settings.models_dir, args.version_a, args.version_b, args.split)
                sys.stdout.write(f"A/B test {experiment.id}: {args.version_a} (a) vs {args.version_b} (b)\n")
            elif args.command == "ab-stop":
                from tips import ab

                ab.stop(s)
                sys.stdout.write("A/B test stopped\n")
            elif args.command == "list-keys":
                sys.stdout.write(json.dumps(keys.list_keys(s), indent=1) + "\n")
            else:  # choose-week, send-week
                from tips.bank import load_bank
                from tips.model import ModelSource
                from tips.privacy import PhoneVault
                from tips.weekly import choose_week

                model = ModelSource(settings.models_dir, db=db).current()
                day = args.date or datetime.now(UTC).date()
                bank = load_bank(categories=model.categories)
                ab_key = PhoneVault.from_settings(settings).hash_key
                out = choose_week(
                    s, model, bank, day, settings.tips_skip_weeks, ab_key=ab_key, models_dir=settings.models_dir
                )
        if args.command == "send-week":
            out["outbox"] = _send(settings, db, load_bank(categories=model.categories), args.batch)
        if args.command in ("choose-week", "send-week"):
            sys.stdout.write(json.dumps(out) + "\n")
        return 0
    except ValueError as exc:  # a bad name or version: say it, change nothing (the session rolled back)
        sys.stderr.write(f"error: {exc}\n")
        return 2
    finally:
        db.dispose()
        _forget_process(settings)


def _forget_process(settings: Settings) -> None:
    """Under the Celery worker (PROMETHEUS_MULTIPROC_DIR set), drop this process's live gauges when it ends."""
    if settings.metrics_dir is not None and "prometheus_client" in sys.modules:
        import os

        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid(), path=str(settings.metrics_dir))


def _serve_consumer_metrics(settings: Settings) -> None:
    """The consumer's own ``/metrics`` (broker connection, gateway messages by outcome), like the Celery worker's.

    One process, so its samples stay in its memory: a multiprocess folder inherited from the environment
    would hide them from this registry (and could be another service's).
    """
    import os

    if "prometheus_client" not in sys.modules:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)  # read by prometheus_client when first imported
    from prometheus_client import start_http_server

    from app.metrics import tips as tm

    tm.touch_consumer()
    try:
        start_http_server(settings.tips_consumer_metrics_port, addr=settings.tips_consumer_metrics_addr)
    except OSError as exc:  # the port is taken: deliver anyway, without metrics
        logging.getLogger(__name__).warning(
            "consumer metrics not served on port %s: %s", settings.tips_consumer_metrics_port, exc
        )


def _consume(settings: Settings, db: Database) -> int:
    import signal
    import threading

    from tips.delivery.consumer import Consumer
    from tips.delivery.mqtt import Broker
    from tips.privacy import PhoneVault

    if not settings.mqtt_url:
        sys.stderr.write("error: MQTT_URL is not set; nothing to consume\n")
        return 2
    _serve_consumer_metrics(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    consumer = Consumer(
        db, PhoneVault.from_settings(settings), Broker.from_url(settings.mqtt_url, settings.mqtt_ca_file)
    )
    consumer.start()
    while not stop.wait(60):
        logging.getLogger(__name__).info("gateway messages so far: %s", dict(consumer.counts))
    consumer.stop()
    return 0


def _send(settings: Settings, db: Database, bank, batch: int = 1000) -> dict:
    """Publish the outbox; without MQTT_URL the sends stay pending (the admin page shows them)."""
    if not settings.mqtt_url:
        return {"sent": 0, "note": "no MQTT_URL: sends stay in the outbox"}
    from tips.delivery.mqtt import Broker, Publisher
    from tips.delivery.outbox import send_pending
    from tips.privacy import PhoneVault

    publisher = Publisher(Broker.from_url(settings.mqtt_url, settings.mqtt_ca_file))
    if not publisher.connect():
        return {"sent": 0, "note": f"broker unreachable or refused ({publisher.refused}): sends stay pending"}
    try:
        return send_pending(db, PhoneVault.from_settings(settings), bank, publisher, batch=batch)
    finally:
        publisher.close()


if __name__ == "__main__":
    raise SystemExit(main())

"""Sending the outbox: every pending row of ``tip_sends`` is published (QoS 1) and marked sent on PUBACK.

Exactly once per subscriber and week: the row is unique (subscriber, week), only rows still pending are
published, and a row is marked sent only once the broker acknowledged it. A run that dies, or a broker
that goes away, leaves the unacknowledged rows pending for the next run (with backoff). What remains is
the window between a PUBACK and its commit: a repeat is then possible, and carries the same send id,
so a phone or gateway that keeps the last ids it saw drops it (see ``payloads``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from app.db import Database
from app.db.models import TipSend, TipSubscriber, utcnow
from tips.bank import TipBank
from tips.delivery import payloads, topics
from tips.delivery.mqtt import Publisher
from tips.privacy import PhoneVault

log = logging.getLogger(__name__)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... at most an hour between tries."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def message(row, vault: PhoneVault, texts: dict[tuple[str, str], str]) -> tuple[str, bytes]:
    text = texts[(row.tip_id, row.language)]
    if row.channel == "app":
        return topics.phone_topic(row.public_id), payloads.app_tip(row.id, row.week, text)
    return topics.GATEWAY_OUT, payloads.sms_tip(row.id, vault.decrypt(row.phone_enc), text)


def send_pending(
    db: Database,
    vault: PhoneVault,
    bank: TipBank,
    publisher: Publisher,
    *,
    batch: int = 1000,
    ack_timeout_s: float = 15.0,
    now: datetime | None = None,
) -> dict:
    """Publish pending sends of active subscribers in batches; stop at the first batch the broker did not ack."""
    now = now or utcnow()
    texts = {(t.id, t.language): t.text for t in bank.tips}
    sent = retry = 0
    while publisher.connected:
        with db.session() as s:
            rows = s.execute(
                select(
                    TipSend.id,
                    TipSend.week,
                    TipSend.tip_id,
                    TipSend.language,
                    TipSend.channel,
                    TipSubscriber.public_id,
                    TipSubscriber.phone_enc,
                )
                .join(TipSubscriber, TipSubscriber.id == TipSend.subscriber_id)
                .where(
                    TipSend.status == "pending",
                    TipSubscriber.status == "active",
                    or_(TipSend.next_attempt_at.is_(None), TipSend.next_attempt_at <= now),
                )
                .order_by(TipSend.id)
                .limit(batch)
            ).all()
        if not rows:
            break
        mids: dict[int, int] = {}
        for row in rows:
            topic, payload = message(row, vault, texts)
            mid = publisher.publish(topic, payload)
            if mid is not None:
                mids[mid] = row.id
        acked = {mids[m] for m in publisher.wait_acked(set(mids), ack_timeout_s)}
        missed = [r.id for r in rows if r.id not in acked]
        with db.session() as s:
            if acked:
                s.execute(
                    update(TipSend)
                    .where(TipSend.id.in_(acked))
                    .values(status="sent", sent_at=utcnow(), attempts=TipSend.attempts + 1, last_error=None)
                )
            for sid in missed:  # few: only when the broker goes away mid-batch
                attempts = s.scalar(select(TipSend.attempts).where(TipSend.id == sid)) + 1
                s.execute(
                    update(TipSend)
                    .where(TipSend.id == sid)
                    .values(attempts=attempts, next_attempt_at=now + backoff(attempts), last_error="no PUBACK")
                )
        sent += len(acked)
        retry += len(missed)
        if missed:
            log.warning("%d publishes not acknowledged; they stay pending and are retried later", len(missed))
            break
    log.info("outbox: %d sent, %d to retry", sent, retry)
    return {"sent": sent, "retry": retry}

"""Anonymous counts for the admin tips page: subscribers by district and channel, tips by week, leavers.

No phone numbers, birth months or ids leave this module; small district counts are shown as "<5" by the page.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.db.models import TipEvent, TipSend, TipSubscriber, utcnow
from tips.choice import iso_week

SMALL = 5  # counts under this are shown as "<5" next to a district


def small(n: int) -> str:
    return f"<{SMALL}" if 0 < n < SMALL else str(n)


def totals(session: Session) -> dict[str, int]:
    rows = dict(session.execute(select(TipSubscriber.status, func.count()).group_by(TipSubscriber.status)).all())
    return {k: int(rows.get(k, 0)) for k in ("active", "left", "erased")}


def outbox(session: Session) -> dict[str, int]:
    """Tip sends by delivery status: pending (waiting for the broker), sent (PUBACKed), cancelled (left)."""
    rows = dict(session.execute(select(TipSend.status, func.count()).group_by(TipSend.status)).all())
    return {k: int(rows.get(k, 0)) for k in ("pending", "sent", "cancelled")}


def by_district_channel(session: Session, limit: int = 50) -> list[dict]:
    """Active and departed subscribers per district and channel, largest first."""
    active = func.sum(case((TipSubscriber.status == "active", 1), else_=0))
    gone = func.sum(case((TipSubscriber.status != "active", 1), else_=0))
    rows = session.execute(
        select(TipSubscriber.ubigeo, TipSubscriber.channel, active, gone)
        .group_by(TipSubscriber.ubigeo, TipSubscriber.channel)
        .order_by(active.desc(), TipSubscriber.ubigeo)
        .limit(limit)
    ).all()
    return [{"ubigeo": u, "channel": c, "active": int(a or 0), "left": int(g or 0)} for u, c, a, g in rows]


def rate(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{100 * part / whole:.0f} %"


def _feedback_table(session: Session, group, where, label: str) -> list[dict]:
    """Per ``group`` column: tips chosen, sent (PUBACK), delivered (gateway receipt), replies, leaves."""
    useful = func.sum(case((TipSend.feedback == 1, 1), else_=0))
    not_useful = func.sum(case((TipSend.feedback == 2, 1), else_=0))
    sent = func.sum(case((TipSend.status == "sent", 1), else_=0))
    delivered = func.sum(case((TipSend.receipt == "delivered", 1), else_=0))
    rows = session.execute(
        select(*group, func.count(), sent, delivered, useful, not_useful).where(where).group_by(*group)
    ).all()
    out = []
    for row in rows:
        keys, (n, snt, dlv, u, nu) = row[: len(group)], (int(v or 0) for v in row[len(group) :])
        out.append({label: keys if len(keys) > 1 else keys[0], "tips": n, "sent": snt, "delivered": dlv,
                    "useful": u, "not_useful": nu})  # fmt: skip
    return out


def by_week_category(session: Session, weeks: int = 8) -> list[dict]:
    """Per ISO week and category (newest first): tips, delivery rate, useful rate and leave rate.

    Delivery: gateway receipts over sends (app tips count as delivered once the broker has them).
    Useful: replies "1" over all replies. Leave: BAJA after a tip of the category, over its tips.
    """
    recent = select(TipSend.week).distinct().order_by(TipSend.week.desc()).limit(weeks).scalar_subquery()
    rows = _feedback_table(session, (TipSend.week, TipSend.category), TipSend.week.in_(recent), "key")
    leaves = Counter(
        session.execute(
            select(TipEvent.week, TipEvent.category).where(TipEvent.kind == "leave", TipEvent.week.is_not(None))
        ).all()
    )
    app_sent = {
        (w, c): int(n)
        for w, c, n in session.execute(
            select(TipSend.week, TipSend.category, func.count())
            .where(TipSend.channel == "app", TipSend.status == "sent", TipSend.week.in_(recent))
            .group_by(TipSend.week, TipSend.category)
        ).all()
    }
    out = []
    for r in sorted(rows, key=lambda r: (r["key"][0], r["tips"]), reverse=True):
        week, category = r["key"]
        delivered = r["delivered"] + app_sent.get((week, category), 0)
        left = leaves[(week, category)]
        out.append({
            "week": week, "category": category, "tips": r["tips"], "sent": r["sent"],
            "delivery": rate(delivered, r["sent"]), "useful": r["useful"], "not_useful": r["not_useful"],
            "useful_rate": rate(r["useful"], r["useful"] + r["not_useful"]), "leaves": left,
            "leave_rate": rate(left, r["tips"]),
        })  # fmt: skip
    return out


def by_district(session: Session, limit: int = 30) -> list[dict]:
    """Per district (most tips first): tips, sends, delivery rate (gateway receipts), useful and leave rates."""
    rows = _feedback_table(session, (TipSubscriber.ubigeo,), TipSend.subscriber_id == TipSubscriber.id, "ubigeo")
    leaves = dict(
        session.execute(
            select(TipEvent.ubigeo, func.count()).where(TipEvent.kind == "leave").group_by(TipEvent.ubigeo)
        ).all()
    )
    rows.sort(key=lambda r: -r["tips"])
    return [
        {
            **r,
            "useful_rate": rate(r["useful"], r["useful"] + r["not_useful"]),
            "leaves": int(leaves.get(r["ubigeo"], 0)),
            "leave_rate": rate(int(leaves.get(r["ubigeo"], 0)), r["tips"]),
        }
        for r in rows[:limit]
    ]


def leavers_by_week(session: Session, weeks: int = 8, now: datetime | None = None) -> list[dict]:
    """Leaves (BAJA), erasures and rejoins (ALTA) per ISO week, from the anonymous event log."""
    since = (now or utcnow()) - timedelta(weeks=weeks)
    events = session.execute(
        select(TipEvent.at, TipEvent.kind).where(TipEvent.at >= since, TipEvent.kind.in_(("leave", "erase", "rejoin")))
    ).all()
    counts = Counter((iso_week(at.date()), kind) for at, kind in events)
    weeks_seen = sorted({w for w, _ in counts}, reverse=True)
    return [{"week": w, **{k: counts[(w, k)] for k in ("leave", "erase", "rejoin")}} for w in weeks_seen]

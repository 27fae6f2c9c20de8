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


def by_week_category(session: Session, weeks: int = 8) -> list[dict]:
    """Tips chosen per ISO week and category (newest week first), with the replies they got."""
    useful = func.sum(case((TipSend.feedback == 1, 1), else_=0))
    not_useful = func.sum(case((TipSend.feedback == 2, 1), else_=0))
    recent = select(TipSend.week).distinct().order_by(TipSend.week.desc()).limit(weeks).scalar_subquery()
    rows = session.execute(
        select(TipSend.week, TipSend.category, func.count(), useful, not_useful)
        .where(TipSend.week.in_(recent))
        .group_by(TipSend.week, TipSend.category)
        .order_by(TipSend.week.desc(), func.count().desc())
    ).all()
    return [
        {"week": w, "category": c, "tips": int(n), "useful": int(u or 0), "not_useful": int(nu or 0)}
        for w, c, n, u, nu in rows
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

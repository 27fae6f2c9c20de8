"""Enrolment, leaving and SMS keywords over the admin database (no web framework here)."""

from __future__ import annotations

import logging
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db.models import TipEvent, TipSend, TipSubscriber, utcnow
from tips.choice import age_months
from tips.errors import FieldError
from tips.model import AGE_RANGE, TipModel
from tips.privacy import PhoneError, PhoneVault, masked, pe_mobile
from tips.replies import KEYWORDS, REPLIES

log = logging.getLogger(__name__)
CHANNELS = ("sms", "app")


@dataclass(frozen=True)
class Enrolment:
    phone: str
    ubigeo: str
    birth_year: int
    birth_month: int
    sex: str  # f | m
    language: str
    channel: str


def _event(session: Session, kind: str, sub: TipSubscriber, last: TipSend | None = None) -> None:
    session.add(
        TipEvent(
            kind=kind,
            ubigeo=sub.ubigeo,
            channel=sub.channel,
            category=last.category if last else None,
            week=last.week if last else None,
            experiment_id=last.experiment_id if last else None,
            arm=last.arm if last else None,
        )
    )


def _last_sent(session: Session, sub: TipSubscriber) -> TipSend | None:
    return session.scalar(
        select(TipSend)
        .where(TipSend.subscriber_id == sub.id, TipSend.status == "sent")
        .order_by(TipSend.week.desc())
        .limit(1)
    )


def _cancel_pending(session: Session, sub: TipSubscriber) -> None:
    """A caregiver who leaves gets nothing more, not even a tip already chosen but not yet sent."""
    session.execute(
        update(TipSend).where(TipSend.subscriber_id == sub.id, TipSend.status == "pending").values(status="cancelled")
    )


def enrol(
    session: Session,
    vault: PhoneVault,
    model: TipModel,
    languages: tuple[str, ...],
    form: Enrolment,
    today: date,
    key_id: int | None = None,
) -> TipSubscriber:
    """Check everything, then store the caregiver (the phone encrypted); :class:`FieldError` stores nothing."""
    try:
        phone = pe_mobile(form.phone)
    except PhoneError as exc:
        raise FieldError("phone", str(exc)) from exc
    if form.ubigeo not in model.districts:
        raise FieldError("ubigeo", f"unknown district {form.ubigeo!r}: expected the UBIGEO of a Peruvian district")
    age = age_months(form.birth_year, form.birth_month, today)
    if (form.birth_year, form.birth_month) > (today.year, today.month):
        raise FieldError("child_birth", f"birth month {form.birth_year}-{form.birth_month:02d} is in the future")
    if age > AGE_RANGE[1]:
        raise FieldError("child_birth", f"the child is {age} months old; tips are for children under 5 (0-59 months)")
    if form.language not in languages:
        offered = ", ".join(languages)
        raise FieldError("language", f"language {form.language!r} is not offered; expected one of {offered}")
    if form.channel not in CHANNELS:
        raise FieldError("channel", f"expected one of {', '.join(CHANNELS)}")
    lookup = vault.lookup(phone)
    if session.scalar(select(TipSubscriber.id).where(TipSubscriber.phone_hash == lookup)) is not None:
        raise FieldError("phone", "this phone number is already enrolled (a caregiver who left can reply ALTA)")
    sub = TipSubscriber(
        public_id=secrets.token_hex(16),
        phone_hash=lookup,
        phone_enc=vault.encrypt(phone),
        ubigeo=form.ubigeo,
        birth_year=form.birth_year,
        birth_month=form.birth_month,
        sex=form.sex,
        language=form.language,
        channel=form.channel,
        status="active",
        consent_at=utcnow(),
        enrolled_by=key_id,
    )
    session.add(sub)
    _event(session, "enrol", sub)
    session.flush()
    log.info("subscriber %s enrolled (district %s, %s)", sub.public_id, sub.ubigeo, sub.channel)
    return sub


def find(session: Session, public_id: str) -> TipSubscriber | None:
    sub = session.scalar(select(TipSubscriber).where(TipSubscriber.public_id == public_id))
    return None if sub is None or sub.status == "erased" else sub


def describe(vault: PhoneVault, sub: TipSubscriber) -> dict:
    return {
        "id": sub.public_id,
        "phone": masked(vault.decrypt(sub.phone_enc)),
        "ubigeo": sub.ubigeo,
        "child_birth": f"{sub.birth_year}-{sub.birth_month:02d}",
        "sex": sub.sex,
        "language": sub.language,
        "channel": sub.channel,
        "status": sub.status,
        "consent_at": sub.consent_at.isoformat() if sub.consent_at else None,
        "created_at": sub.created_at.isoformat(),
    }


def erase(session: Session, sub: TipSubscriber) -> None:
    """Leave for good: every personal field cleared; district, channel, language and dates stay (counts)."""
    sub.phone_enc = sub.phone_hash = None
    sub.birth_year = sub.birth_month = None
    sub.sex = None
    sub.status, sub.erased_at = "erased", utcnow()
    _cancel_pending(session, sub)
    sub.left_at = sub.left_at or sub.erased_at
    _event(session, "erase", sub)
    log.info("subscriber %s erased", sub.public_id)


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.strip().upper())
    return "".join(c for c in folded if not unicodedata.combining(c)).rstrip(".!")


def inbound(session: Session, vault: PhoneVault, sender: str, text: str) -> dict:
    """Act on an SMS keyword from ``sender``: BAJA/STOP, ALTA, 1/2 (feedback on the last tip), AYUDA."""
    words = _normalise(text).split()
    action = KEYWORDS.get(words[0] if words else "", "help")
    try:
        phone = pe_mobile(sender)
    except PhoneError as exc:
        raise FieldError("from", str(exc)) from exc
    sub = session.scalar(select(TipSubscriber).where(TipSubscriber.phone_hash == vault.lookup(phone)))
    if sub is None:
        return {"action": "unknown", "reply": REPLIES["unknown"]["es"]}
    lang = sub.language if sub.language in REPLIES["help"] else "es"
    if action == "leave":
        if sub.status == "active":
            sub.status, sub.left_at = "left", utcnow()
            _cancel_pending(session, sub)
            _event(session, "leave", sub, _last_sent(session, sub))
        return {"action": "leave", "reply": REPLIES["leave"][lang]}
    if action == "rejoin":
        if sub.status == "left":
            sub.status, sub.left_at = "active", None
            _event(session, "rejoin", sub)
        return {"action": "rejoin", "reply": REPLIES["rejoin"][lang]}
    if action in ("useful", "not_useful"):
        last = session.scalar(
            select(TipSend).where(TipSend.subscriber_id == sub.id).order_by(TipSend.week.desc()).limit(1)
        )
        if last is not None:
            last.feedback, last.feedback_at = (1 if action == "useful" else 2), utcnow()
        _event(session, action, sub, last)
        return {"action": action, "tip": last.tip_id if last else None, "reply": REPLIES["feedback"][lang]}
    return {"action": "help", "reply": REPLIES["help"][lang]}

"""``/v1/subscribers``: a health worker enrols a caregiver (partner API key), looks them up, erases them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from tips import subscribers
from tips.api.deps import ApiKey, DbSession, Model, State

router = APIRouter(tags=["subscribers"])
PUBLIC_ID = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class EnrolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(max_length=32, description="Peruvian mobile, e.g. +51 912 345 678")
    ubigeo: str = Field(pattern=r"^\d{6}$", description="district UBIGEO (6 digits)")
    child_birth: str = Field(description="the child's birth month, YYYY-MM (the day is never stored)")
    sex: Literal["f", "m"]
    language: str = Field(max_length=8, description="es or en (Quechua and Aymara once reviewed texts exist)")
    channel: Literal["sms", "app"]
    consent: Literal[True] = Field(description="the caregiver agreed to receive tips and to this data being kept")

    @field_validator("child_birth")
    @classmethod
    def _month(cls, value: str) -> str:
        m = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValueError("expected the birth month as YYYY-MM, e.g. 2025-08")
        return value


class SubscriberOut(BaseModel):
    id: str
    phone: str = Field(description="masked: +51 9** *** 678")
    ubigeo: str
    child_birth: str
    sex: str
    language: str
    channel: str
    status: str
    consent_at: str | None
    created_at: str


@router.post("/subscribers", status_code=201, response_model=SubscriberOut)
def enrol(body: EnrolIn, key: ApiKey, session: DbSession, state: State, model: Model) -> dict:
    """Enrol a caregiver; 422 names the field (phone, ubigeo, child_birth, language...) and stores nothing."""
    year, month = (int(p) for p in body.child_birth.split("-"))
    form = subscribers.Enrolment(body.phone, body.ubigeo, year, month, body.sex, body.language, body.channel)
    today = datetime.now(UTC).date()
    sub = subscribers.enrol(session, state.vault, model, state.bank.offered, form, today, key_id=key.id)
    return subscribers.describe(state.vault, sub)


@router.get("/subscribers/{subscriber_id}", response_model=SubscriberOut)
def get_subscriber(subscriber_id: PUBLIC_ID, _key: ApiKey, session: DbSession, state: State) -> dict:
    sub = subscribers.find(session, subscriber_id)
    if sub is None:
        raise HTTPException(404, "no such subscriber")
    return subscribers.describe(state.vault, sub)


@router.delete("/subscribers/{subscriber_id}", status_code=204)
def erase_subscriber(subscriber_id: PUBLIC_ID, _key: ApiKey, session: DbSession) -> Response:
    """The caregiver leaves for good: personal fields erased, anonymous counts kept."""
    sub = subscribers.find(session, subscriber_id)
    if sub is None:
        raise HTTPException(404, "no such subscriber")
    subscribers.erase(session, sub)
    return Response(status_code=204)

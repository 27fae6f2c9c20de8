"""``POST /v1/sms/inbound``: the webhook an SMS gateway calls with each message a caregiver sends."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from tips import subscribers
from tips.api.deps import ApiKey, DbSession, State

router = APIRouter(tags=["sms"])


class InboundIn(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    sender: str = Field(alias="from", max_length=32, description="the caregiver's number")
    text: str = Field(max_length=640, description="BAJA/STOP, ALTA, 1, 2 or AYUDA")


class InboundOut(BaseModel):
    action: str = Field(description="leave, rejoin, useful, not_useful, help or unknown")
    reply: str = Field(description="one SMS segment for the gateway to send back")
    tip: str | None = None


@router.post("/sms/inbound", response_model=InboundOut, response_model_exclude_none=True)
def inbound(body: InboundIn, _key: ApiKey, session: DbSession, state: State) -> dict:
    """Act on a keyword and answer the reply text (in the caregiver's language)."""
    return subscribers.inbound(session, state.vault, body.sender, body.text)

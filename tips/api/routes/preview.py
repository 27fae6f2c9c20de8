"""``GET /v1/tips/preview``: the ranked categories and the chosen tip for a child profile (anonymous allowed).

``Accept: text/plain`` gets the bare SMS text (feature phones, USSD gateways); JSON is gzipped when
asked and both carry an ETag. Answers are cached per model version and profile in the worker.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, HTTPException, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from tips import keys
from tips.api.deps import Model, State, presented_key
from tips.bank import TipBank
from tips.choice import pick, tip_for
from tips.errors import FieldError
from tips.model import InputError, TipModel

router = APIRouter(tags=["tips"])


def preview_body(model: TipModel, bank: TipBank, ubigeo: str, age: int, sex: str, lang: str) -> dict:
    """The ranking and chosen tip (no week: the first text of the chosen category)."""
    try:
        x = model.inputs(ubigeo, age, sex == "f")
    except InputError as exc:
        raise FieldError(exc.field, exc.message, "query") from exc
    scores = model.scores(x)
    available = bank.coverage(model.categories, lang)[age][None, :]
    chosen = int(pick(scores, available)[0])
    tip = tip_for(bank, model.categories[chosen], age, lang) if chosen >= 0 else None
    order = np.argsort(-scores[0], kind="stable")
    return {
        "model_version": model.version,
        "bank_version": bank.version,
        "profile": {"ubigeo": ubigeo, "age_months": age, "sex": sex, "lang": lang},
        "ranking": [
            {
                "category": model.categories[i],
                "label": model.labels[model.categories[i]].get(lang, model.categories[i]),
                "score": round(float(scores[0, i]), 3),
            }
            for i in order
        ],
        "tip": None if tip is None else {k: getattr(tip, k) for k in ("id", "category", "text", "encoding", "sources")},
    }


def _key_is_live(state, key: str) -> bool:
    with state.db.session() as session:
        return keys.check_key(session, key) is not None


@dataclass(frozen=True)
class Answer:
    """One profile's preview, encoded once: JSON, gzipped JSON, SMS text, and the ETag base."""

    json: bytes
    gzip: bytes
    text: bytes
    tag: str

    def respond(self, accept: str, accept_encoding: str, if_none_match: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for these request headers (shared by the route and the fast path)."""
        plain = "text/plain" in accept and "application/json" not in accept
        etag = f'"{self.tag}-{"t" if plain else "j"}"'
        headers = {"ETag": etag, "Vary": "Accept, Accept-Encoding", "Cache-Control": "public, max-age=3600"}
        if etag in if_none_match:
            return 304, headers, b""
        if plain:
            return 200, {**headers, "Content-Type": "text/plain; charset=utf-8"}, self.text
        if "gzip" in accept_encoding:
            return 200, {**headers, "Content-Type": "application/json", "Content-Encoding": "gzip"}, self.gzip
        return 200, {**headers, "Content-Type": "application/json"}, self.json


def answer(model: TipModel, bank: TipBank, ubigeo: str, age: int, sex: str, lang: str) -> Answer:
    body = preview_body(model, bank, ubigeo, age, sex, lang)
    as_json = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    as_text = (body["tip"]["text"] if body["tip"] else "").encode()
    return Answer(as_json, gzip.compress(as_json, 6, mtime=0), as_text, hashlib.sha256(as_json).hexdigest()[:20])


@router.get("/tips/preview", responses={200: {"content": {"text/plain": {}}}, 422: {"description": "bad profile"}})
async def preview(
    request: Request,
    state: State,
    model: Model,
    ubigeo: Annotated[str, Query(pattern=r"^\d{6}$", description="district UBIGEO (6 digits)")],
    age_months: Annotated[int, Query(ge=0, le=59, description="child's age in completed months, 0-59")],
    sex: Annotated[Literal["f", "m"], Query(description="f: girl, m: boy")],
    lang: Annotated[str, Query(description="language of the tip text (es, en)")] = "es",
) -> Response:
    """Ranked tip categories with scores and the chosen tip; ``Accept: text/plain`` for the bare SMS text."""
    key = presented_key(request)
    if key is not None:
        if not await run_in_threadpool(_key_is_live, state, key):
            raise HTTPException(401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"})
    elif not state.limit.allow(request.client.host if request.client else "?"):
        raise HTTPException(
            429, "too many previews from this address: try again in a minute", headers={"Retry-After": "60"}
        )
    if lang not in state.bank.offered:
        raise FieldError(
            "lang", f"language {lang!r} is not offered; expected one of {', '.join(state.bank.offered)}", "query"
        )
    cache_key = (model, ubigeo, age_months, sex, lang)
    found = state.previews.get(cache_key)
    if found is None:
        found = answer(model, state.bank, ubigeo, age_months, sex, lang)
        state.remember(cache_key, found)
    h = request.headers
    status, headers, body = found.respond(h.get("accept", ""), h.get("accept-encoding", ""), h.get("if-none-match", ""))
    return Response(body, status_code=status, headers=headers)

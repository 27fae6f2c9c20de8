"""``GET /v1/health``: the model version and bank being served (for load balancers and humans)."""

from __future__ import annotations

from fastapi import APIRouter

from tips.api.deps import Model, State

router = APIRouter(tags=["health"])


@router.get("/health")
def health(state: State, model: Model) -> dict:
    return {
        "status": "ok",
        "model_version": model.version,
        "bank_version": state.bank.version,
        "languages": list(state.bank.offered),
    }

"""The preview fast path: a valid anonymous preview is answered before FastAPI's routing and validation,
from this worker's cache (computed on first use), with the same bytes, headers and rate limit as the route.
Anything else (an API key, a parameter the route would refuse with its 422) goes to the route.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from tips.api.routes.preview import answer
from tips.api.state import ServiceState
from tips.model import NoTipModelError

PATH = "/v1/tips/preview"


class PreviewFastPath:
    def __init__(self, app, state: ServiceState) -> None:
        self.app, self.state = app, state

    def _hit(self, scope):
        headers = dict(scope["headers"])
        if b"authorization" in headers or b"x-api-key" in headers:
            return None, headers
        params = dict(parse_qsl(scope["query_string"].decode("latin-1")))
        age = params.get("age_months", "")
        if not age.isdigit() or len(params) > 4:
            return None, headers
        try:
            model = self.state.models.current()
        except NoTipModelError:
            return None, headers
        key = (model, params.get("ubigeo"), int(age), params.get("sex"), params.get("lang", "es"))
        found = self.state.previews.get(key)
        if found is None:
            _, ubigeo, age_months, sex, lang = key
            valid = ubigeo in model.districts and age_months <= 59 and sex in ("f", "m")
            if not valid or lang not in self.state.bank.offered:
                return None, headers
            found = answer(model, self.state.bank, ubigeo, age_months, sex, lang)
            self.state.remember(key, found)
        client = scope["client"][0] if scope.get("client") else "?"
        if not self.state.limit.allow(client):
            return None, headers  # the route answers the 429
        return found, headers

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == PATH:
            found, headers = self._hit(scope)
            if found is not None:
                status, extra, body = found.respond(
                    headers.get(b"accept", b"").decode("latin-1"),
                    headers.get(b"accept-encoding", b"").decode("latin-1"),
                    headers.get(b"if-none-match", b"").decode("latin-1"),
                )
                raw = [(k.lower().encode(), v.encode()) for k, v in extra.items()]
                raw.append((b"content-length", str(len(body)).encode()))
                await send({"type": "http.response.start", "status": status, "headers": raw})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

"""The page of one district (/distrito/<ubigeo>): numbers, comparison, drivers, trend, actions."""

from __future__ import annotations

import dash

from app.components.region import page_title, region_page
from app.web.lang import current_lang

dash.register_page(
    __name__, path_template="/distrito/<ubigeo>", title=lambda ubigeo=None, **_kw: page_title("district", ubigeo)
)


def layout(ubigeo: str | None = None, **_kwargs: object):
    return region_page("district", ubigeo, current_lang())

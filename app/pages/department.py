"""The page of one department (/departamento/<ubigeo>): numbers, comparison, drivers, trend, actions."""

from __future__ import annotations

import dash

from app.components.region import page_title, region_page
from app.web.lang import current_lang

dash.register_page(
    __name__, path_template="/departamento/<ubigeo>", title=lambda ubigeo=None, **_kw: page_title("department", ubigeo)
)


def layout(ubigeo: str | None = None, **_kwargs: object):
    return region_page("department", ubigeo, current_lang())

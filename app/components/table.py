"""An accessible, sortable, paged table of a map view (the alternative to the map)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from dash import dcc, html

from app.data.labels import fold
from app.i18n import t
from app.numbers import num

COLUMNS = ("name", "province", "department", "estimate", "ci_low", "ci_high", "n", "note")
NUMERIC = {"estimate", "ci_low", "ci_high", "n"}
PAGE_SIZE = 50
SORT_BUTTON = "sort-button"  # pattern-matching id type: {"type": SORT_BUTTON, "column": <column>}


def sort_rows(rows: Sequence[dict], column: str, ascending: bool, query: str = "") -> list[dict]:
    """Filter by name (accent-insensitive) and sort; missing values always last."""
    q = fold(query or "")
    kept = [r for r in rows if not q or q in fold(r["name"])]
    present = [r for r in kept if r.get(column) is not None]
    missing = [r for r in kept if r.get(column) is None]
    key = (lambda r: fold(r[column])) if column not in NUMERIC else (lambda r: r[column])
    return sorted(present, key=key, reverse=not ascending) + missing


def shown_columns(rows: Sequence[dict]) -> list[str]:
    """The columns with something in them in this view (no empty 'n' for the model, no parents for departments)."""
    return [c for c in COLUMNS if c == "name" or any(r.get(c) not in (None, "") for r in rows)]


def _cell(column: str, value: object, lang: str) -> str:
    if value in (None, ""):
        return "-"
    if column == "n":
        return num(value, 0, lang)
    return num(value, 1, lang) if isinstance(value, float) else str(value)


def table(rows: Sequence[dict], column: str, ascending: bool, page: int, lang: str, level: str = "") -> html.Div:
    """One page of rows with header buttons that sort (aria-sort tells screen readers the state).

    Each name links to the region's page; district rows carry their province and department.
    """
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    columns = shown_columns(rows)
    head = []
    for c in columns:
        state = ("ascending" if ascending else "descending") if c == column else "none"
        arrow = {"ascending": " ▲", "descending": " ▼", "none": ""}[state]
        head.append(
            html.Th(
                html.Button(
                    t(f"col_{c}", lang) + arrow,
                    id={"type": SORT_BUTTON, "column": c},
                    className="sort-button",
                    n_clicks=0,
                ),
                scope="col",
                **{"aria-sort": state},
            )
        )
    body = []
    for r in rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]:
        cells = []
        for c in columns:
            if c == "name":
                name = dcc.Link(r["name"], href=r["href"]) if r.get("href") else r["name"]
                cells.append(html.Th(name, scope="row"))
            else:
                cells.append(html.Td(_cell(c, r.get(c), lang), className="num" if c in NUMERIC else None))
        body.append(html.Tr(cells))
    return html.Div(
        className="table-view",
        children=[
            html.Div(
                html.Table(className="data-table", children=[html.Thead(html.Tr(head)), html.Tbody(body)]),
                className="table-scroll",
            ),
            html.P(f"{page + 1} / {pages} · {num(len(rows), 0, lang)}", className="note", id="table-page-label"),
        ],
    )

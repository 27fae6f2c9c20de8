"""Which tip a child gets: the model's ranking, minus categories sent lately or without a text for the child.

Pure functions over numpy arrays, shared by the preview endpoint and the weekly batch.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from tips.bank import Tip, TipBank

MIN_SCORE = 0.2  # below this the model says the category does not apply (e.g. breastfeeding at 3 years)


def pick(scores: np.ndarray, available: np.ndarray, recent: np.ndarray | None = None) -> np.ndarray:
    """Index of the chosen category per row, or -1 when no category applies.

    Args:
        scores: (n, categories) model scores.
        available: (n, categories) a tip exists for the child's age and language.
        recent: (n, categories) sent in the last weeks: skipped unless nothing else applies.
    """
    usable = available & (scores >= MIN_SCORE)
    fresh = usable if recent is None else usable & ~recent
    masked = np.where(fresh, scores, -1.0)
    fallback = np.where(usable, scores, -1.0)
    use_fresh = fresh.any(axis=1)
    chosen = np.where(use_fresh, masked.argmax(axis=1), fallback.argmax(axis=1))
    return np.where(usable.any(axis=1), chosen, -1)


def tip_for(bank: TipBank, category: str, age_months: int, language: str, turn: int = 0) -> Tip | None:
    """The ``turn``-th matching tip, cycling (the week number varies the text within a category)."""
    found = bank.matching(category, age_months, language)
    return found[turn % len(found)] if found else None


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> date:
    year, num = week.split("-W")
    return date.fromisocalendar(int(year), int(num), 1)


def previous_weeks(week: str, n: int) -> list[str]:
    start = week_start(week)
    return [iso_week(start - timedelta(weeks=k)) for k in range(1, n + 1)]


def age_months(birth_year: int, birth_month: int, on: date) -> int:
    """Completed months from the middle of the birth month (only the month is stored) to ``on``."""
    months = (on.year - birth_year) * 12 + (on.month - birth_month)
    return months - (1 if on.day < 15 else 0)

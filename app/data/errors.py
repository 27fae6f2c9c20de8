"""Errors a user can act on: which file, which column, which rows, what was expected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One schema violation in one column of one file."""

    file: str
    column: str | None
    rows: tuple[int, ...]
    expected: str
    found: str = ""

    def describe(self, max_rows: int = 10) -> str:
        """A one-line Spanish/English-neutral description (row numbers are file lines)."""
        where = f"{self.file}"
        if self.column:
            where += f", column {self.column}"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:max_rows])
            more = f" and {len(self.rows) - max_rows} more" if len(self.rows) > max_rows else ""
            where += f", row{'s' if len(self.rows) > 1 else ''} {shown}{more}"
        found = f"; found {self.found}" if self.found else ""
        return f"{where}: expected {self.expected}{found}"


@dataclass
class SurveyValidationError(ValueError):
    """Raised when an uploaded survey cannot be used; nothing is kept from it."""

    problems: Sequence[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [p.describe() for p in self.problems]
        return "Survey data rejected:\n  - " + "\n  - ".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready form for the API and the admin page."""
        return {
            "error": "survey_validation",
            "problems": [
                {"file": p.file, "column": p.column, "rows": list(p.rows), "expected": p.expected, "found": p.found}
                for p in self.problems
            ],
        }

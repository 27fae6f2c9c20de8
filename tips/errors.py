"""Errors a caller can act on: each names the request field and what was expected (answered as 422)."""

from __future__ import annotations


class FieldError(ValueError):
    def __init__(self, field: str, message: str, location: str = "body") -> None:
        super().__init__(message)
        self.field, self.message, self.location = field, message, location

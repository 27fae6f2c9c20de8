"""Property-based tests (Hypothesis) for the survey reader and its validators.

Whatever the bytes, encoding, delimiter, decimal style or missing codes, reading
gives either a clean table or a SurveyValidationError naming what is wrong: never
another exception, and never a column silently blanked. Example counts are bounded
(``EXAMPLES`` each) and printed at the end of the run.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.config import BUNDLED_SURVEY
from app.data.endes import read_endes
from app.data.errors import SurveyValidationError

EXAMPLES = 60
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
COUNTS: Counter = Counter()  # examples run per test, printed by tests/unit/data/conftest.py
ROWS = 30
NUMERIC = ("HC1", "HC53", "HC70", "HV005", "HW2", "HW3", "HW70", "PESO", "V133")


def _base() -> tuple[list[str], list[list[str]]]:
    with open(BUNDLED_SURVEY, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [next(reader) for _ in range(ROWS)]
    return header, rows


HEADER, ROWS_TEXT = _base()


def _read(content: bytes, suffix: str = ".csv"):
    """Read bytes as an uploaded file; the outcome is a table or a SurveyValidationError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            return read_endes([path]).table
        except SurveyValidationError as exc:
            error = exc
    assert error.problems, "an error must name at least one problem"
    for p in error.problems:
        assert p.file == path.name
        assert p.expected
    return error


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([HEADER, *ROWS_TEXT])
    table = _read(text.getvalue().encode("utf-8"))
    assert isinstance(table, pd.DataFrame)
    return table.drop(columns="source_file")


@SETTINGS
@given(content=st.binary(max_size=2000))
def test_arbitrary_bytes_give_a_table_or_a_named_error(content):
    COUNTS["arbitrary bytes"] += 1
    outcome = _read(content)
    event("rejected" if isinstance(outcome, SurveyValidationError) else "read")


CELL = st.one_of(
    st.sampled_from(["", "NA", ".", "999", "9999", "27.0", "27,0", "-1,5", "1.234,5", "sí", "más pobre", "Lima"]),
    st.text(max_size=8),
    st.integers(-10_000, 10_000).map(str),
)


@SETTINGS
@given(
    columns=st.lists(st.sampled_from([*HEADER, "X", "hc1", " HC53 "]), min_size=1, max_size=12, unique=True),
    cells=st.lists(st.lists(CELL, min_size=12, max_size=12), min_size=0, max_size=6),
    sep=st.sampled_from([",", ";", "\t", "|"]),
)
def test_arbitrary_tables_give_a_table_or_a_named_error(columns, cells, sep):
    COUNTS["arbitrary tables"] += 1
    text = io.StringIO()
    writer = csv.writer(text, delimiter=sep, lineterminator="\n")
    writer.writerow(columns)
    for row in cells:
        writer.writerow(row[: len(columns)])
    _read(text.getvalue().encode("utf-8"))


@SETTINGS
@given(
    sep=st.sampled_from([",", ";", "\t", "|"]),
    decimal_comma=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]),
    missing_hb=st.sets(st.integers(0, ROWS - 1), max_size=ROWS // 2),
    code=st.sampled_from(["994", "995", "996", "997", "998", "999"]),
)
def test_same_data_in_any_dialect_reads_the_same_and_blanks_only_missing_codes(
    reference, sep, decimal_comma, encoding, missing_hb, code
):
    """Delimiter, decimal style and encoding change nothing; a missing code blanks exactly its own rows."""
    COUNTS["dialects and missing codes"] += 1
    rows = [list(r) for r in ROWS_TEXT]
    hb = HEADER.index("HC53")
    for i in missing_hb:
        rows[i][hb] = code
    if decimal_comma:
        at = [HEADER.index(c) for c in HEADER]
        rows = [[v.replace(".", ",") if _is_decimal(v) else v for v in (r[j] for j in at)] for r in rows]
    text = io.StringIO()
    csv.writer(text, delimiter=sep, lineterminator="\n").writerows([HEADER, *rows])
    table = _read(text.getvalue().encode(encoding))
    assert isinstance(table, pd.DataFrame), str(table)
    table = table.drop(columns="source_file")
    expected = reference.copy()
    lost = expected["source_row"].isin([i + 2 for i in missing_hb])
    expected.loc[lost, "hemoglobin_gdl"] = float("nan")
    cols = [c for c in expected.columns if c not in ("hemoglobin_gdl", "anemia_reported")]
    pd.testing.assert_frame_equal(table[cols], expected[cols])
    assert table["hemoglobin_gdl"].isna().sum() == expected["hemoglobin_gdl"].isna().sum()
    for col in ("height_cm", "weight_kg", "haz", "age_months", "weight"):
        assert table[col].notna().sum() == reference[col].notna().sum(), f"{col} lost values silently"


def _is_decimal(value: str) -> bool:
    head, dot, tail = value.partition(".")
    return bool(dot) and head.lstrip("-").isdigit() and tail.isdigit()

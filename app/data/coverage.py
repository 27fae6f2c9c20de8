"""Coverage check: an upload must not lose a measurement the served survey has.

A file whose hemoglobin is the missing code (HC53 = 999) in every row reads
cleanly, yet would leave the anemia map with no data. So each measurement the maps
and models use is compared with the survey being served: if its share of missing
rows in the upload exceeds the served survey's share by more than
``MAX_EXTRA_MISSING`` (25 percentage points), the upload is rejected, naming the
column and both shares. Legitimate differences between survey years stay far
below that (the bundled 2015-2024 sample varies by at most 8 points a year).
"""

from __future__ import annotations

import pandas as pd

from app.data.errors import Problem

MAX_EXTRA_MISSING = 0.25
# canonical column -> the ENDES column(s) it comes from (named in the message)
MEASUREMENTS = {
    "hemoglobin_gdl": "HC53 (hemoglobin)",
    "haz": "HC70 (height-for-age)",
    "height_cm": "HC3/HW3 (height)",
    "weight_kg": "HC2/HW2 (weight)",
    "age_months": "HC1 (age in months)",
}


def missing_shares(table: pd.DataFrame) -> dict[str, float]:
    """Share of rows (0-1) missing each measurement."""
    if len(table) == 0:
        return dict.fromkeys(MEASUREMENTS, 1.0)
    return {col: float(table[col].isna().mean()) for col in MEASUREMENTS if col in table.columns}


def coverage_problems(
    upload: pd.DataFrame, served: pd.DataFrame, name: str, max_extra: float = MAX_EXTRA_MISSING
) -> list[Problem]:
    """Problems for each measurement the upload lacks far more often than the served survey."""
    new, old = missing_shares(upload), missing_shares(served)
    problems = []
    for col, source in MEASUREMENTS.items():
        if col not in new or col not in old:
            continue
        if new[col] - old[col] > max_extra:
            problems.append(
                Problem(
                    name,
                    source.split(" ")[0],
                    (),
                    f"{source} missing in at most {old[col] + max_extra:.1%} of rows "
                    f"(served survey: {old[col]:.1%} missing, tolerance {max_extra:.0%} points)",
                    f"missing in {new[col]:.1%} of rows ({int(upload[col].isna().sum())} of {len(upload)})",
                )
            )
    return problems

"""The canonical child table's schema (pandera), and its errors turned into user-facing problems."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from app.data.errors import Problem, SurveyValidationError
from app.data.labels import DEPARTMENTS

HB_RANGE_GDL = (3.0, 25.0)
AGE_RANGE_MONTHS = (0, 59)
HAZ_RANGE = (-6.0, 6.0)

CANONICAL_SCHEMA = pa.DataFrameSchema(
    {
        "source_file": pa.Column(str),
        "source_row": pa.Column(int),
        "year": pa.Column(
            "Int64",
            pa.Check.in_range(1986, 2100),
            title="ANIO/HV007",
            description="a survey year between 1986 and 2100",
        ),
        "household_id": pa.Column(
            "string", pa.Check.str_length(min_value=1), title="HHID", description="a household id"
        ),
        "child_line": pa.Column(
            "Int64", pa.Check.in_range(1, 99), title="HC0", description="the child's line number 1-99"
        ),
        "cluster": pa.Column("string", title="HV001", description="a cluster number"),
        "stratum": pa.Column("string", title="ESTRATO/HV022", description="a stratum"),
        "weight": pa.Column(float, pa.Check.gt(0), title="PESO/HV005", description="a weight above zero"),
        "department": pa.Column(
            "string", pa.Check.isin(list(DEPARTMENTS)), title="HV024", description="a department (UBIGEO 01-25)"
        ),
        "district": pa.Column(
            "string",
            pa.Check.str_matches(r"^(0[1-9]|1\d|2[0-5])\d{4}$"),
            nullable=True,
            title="UBIGEO",
            description="a 6-digit district UBIGEO",
        ),
        "area": pa.Column("string", pa.Check.isin(["urbano", "rural"]), title="HV025", description="urbano or rural"),
        "altitude_m": pa.Column(
            float,
            pa.Check.in_range(-100, 6800),
            nullable=True,
            title="HV040",
            description="an altitude between -100 and 6,800 m",
        ),
        "age_months": pa.Column(
            float, pa.Check.in_range(*AGE_RANGE_MONTHS), title="HC1", description="an age of 0-59 months"
        ),
        "sex": pa.Column("string", pa.Check.isin(["hombre", "mujer"]), title="HC27", description="hombre or mujer"),
        "hemoglobin_gdl": pa.Column(
            float,
            pa.Check.in_range(*HB_RANGE_GDL),
            nullable=True,
            title="HC53",
            description="hemoglobin 3.0-25.0 g/dL (HC53 30-250 in tenths; 994-999 = not measured)",
        ),
        "haz": pa.Column(
            float,
            pa.Check.in_range(*HAZ_RANGE),
            nullable=True,
            title="HC70",
            description="height-for-age z between -6 and 6 (HC70 -600..600; 9996+ = flagged)",
        ),
        "height_cm": pa.Column(
            float,
            pa.Check.in_range(30, 140),
            nullable=True,
            title="HC3/HW3",
            description="a height of 30-140 cm (cm x 10 in the file)",
        ),
        "weight_kg": pa.Column(
            float,
            pa.Check.in_range(0.5, 40),
            nullable=True,
            title="HC2/HW2",
            description="a weight of 0.5-40 kg (kg x 10 in the file)",
        ),
    },
    unique=["year", "household_id", "child_line"],
    strict=False,
    coerce=False,
)


def validate_canonical(table: pd.DataFrame) -> pd.DataFrame:
    """Validate the canonical table, raising one error that lists every failing column and row."""
    missing_key = table["year"].isna() | table["child_line"].isna()
    if missing_key.any():
        raise SurveyValidationError(
            [
                Problem(
                    str(table.loc[missing_key, "source_file"].iloc[0]),
                    "ANIO/HV007 and HC0",
                    tuple(table.loc[missing_key, "source_row"]),
                    "a survey year and a child line number",
                    "blank",
                )
            ]
        )
    try:
        return CANONICAL_SCHEMA.validate(table, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise SurveyValidationError(_problems(table, exc.failure_cases)) from None


def _problems(table: pd.DataFrame, failures: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    unique = failures["check"].astype(str).str.contains("unique")
    if unique.any():
        idx = sorted({int(i) for i in failures.loc[unique, "index"].dropna()})
        problems.append(
            Problem(
                ", ".join(map(str, table.loc[idx, "source_file"].unique())),
                "ANIO, HHID, HC0",
                tuple(int(r) for r in table.loc[idx, "source_row"]),
                "one record per child (survey year, HHID, HC0)",
                "duplicate children",
            )
        )
    for (column, check), grp in failures[~unique].groupby(["column", "check"], dropna=False, sort=False):
        idx = [i for i in grp["index"].dropna().astype(int) if i in table.index]
        rows = tuple(int(r) for r in table.loc[idx, "source_row"])
        files = table.loc[idx, "source_file"].unique() if idx else table["source_file"].unique()
        col = CANONICAL_SCHEMA.columns.get(column)
        expected = col.description if col is not None and col.description else str(check)
        label = f"{col.title} ({column})" if col is not None else str(column)
        found = ", ".join(repr(v) for v in grp["failure_case"].dropna().unique()[:3])
        problems.append(Problem(", ".join(map(str, files)), label, rows, expected, found))
    return problems

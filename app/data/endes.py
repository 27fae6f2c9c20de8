"""Read ENDES survey files into one canonical, validated child-level table.

Accepts:

* the bundled child-level sample (all modules already merged, ENDES column names);
* INEI's separate modules RECH6 (children) + RECH0 (household) and, when given,
  RECH1 (members), RECH23 (wealth, water) and REC0111 (women), as CSV, SPSS
  ``.sav`` or Stata ``.dta``; several years of the same module may be given;
* text in UTF-8 (with or without BOM) or Latin-1, separated by ``,`` ``;`` tab or ``|``,
  with decimal points or, as Spanish-locale Excel saves them, decimal commas
  (detected per column of each file and named in the report's notes; a column
  mixing both styles is rejected, naming it).

Every problem found is collected and raised together as one
:class:`~app.data.errors.SurveyValidationError`; nothing partial is returned.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from app.data import labels
from app.data.errors import Problem, SurveyValidationError
from app.data.schema import validate_canonical

log = logging.getLogger(__name__)

CANONICAL_COLUMNS = [
    "source_file",
    "source_row",
    "year",
    "household_id",
    "child_line",
    "cluster",
    "stratum",
    "weight",
    "department",
    "district",
    "area",
    "altitude_m",
    "age_months",
    "sex",
    "hemoglobin_gdl",
    "haz",
    "haz_source",
    "height_cm",
    "weight_kg",
    "mother_education",
    "mother_years_schooling",
    "mother_age",
    "wealth_quintile",
    "birth_order",
    "treats_water",
    "de_facto",
    "anemia_reported",
]
# Columns that identify each module (upper-case ENDES names).
MODULE_SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = (
    ("sample", frozenset({"HC1", "HV024"})),
    # A merged child file that lacks HV024 is still a sample: canonicalise then names what is missing.
    ("sample", frozenset({"HC1", "HV001"})),
    ("RECH6", frozenset({"HC1", "HC0"})),
    ("RECH0", frozenset({"HV001", "HV024"})),
    ("RECH1", frozenset({"HVIDX"})),
    ("RECH23", frozenset({"HV270"})),
    ("REC0111", frozenset({"CASEID", "V106"})),
)
CATEGORICAL = {"HV024", "HV025", "HC27", "V106", "V190", "HV270", "HV237", "HC57", "HC55", "HV103", "V025"}
READERS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".sav": "sav", ".zsav": "sav", ".dta": "dta"}
MISSING_TEXT = ["", " ", "nan", "NaN", "NA", "N/A", "null", "NULL", "."]


@dataclass(frozen=True)
class EndesData:
    """The canonical table and notes on what was done to it (shown in validation reports)."""

    table: pd.DataFrame
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RawTable:
    """One file as read: upper-case column names, a 'row' for every record (file line for text)."""

    name: str
    frame: pd.DataFrame
    module: str
    notes: tuple[str, ...] = ()


COMMA_DECIMAL = r"^[+-]?\d+,\d+$"
POINT_DECIMAL = r"^[+-]?\d*\.\d+$"


def _decimal_commas(df: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[str]]:
    """Read decimal commas (``12,5``) as decimal points, column by column, and say where.

    A column holding both ``12,5`` and ``12.5`` is ambiguous (``1.234`` might be a
    thousand): it is rejected, naming the column, rather than guessed.
    """
    converted, mixed = [], []
    for col in df.columns:
        if col == "__row":
            continue
        values = df[col].dropna().astype(str).str.strip()
        commas = values.str.match(COMMA_DECIMAL)
        if not commas.any():
            continue
        points = values.str.match(POINT_DECIMAL)
        if points.any():
            mixed.append(
                Problem(
                    name,
                    str(col).strip().upper(),
                    tuple(df.loc[values[points].index[:20], "__row"]),
                    "one decimal separator per column (all decimal commas or all decimal points)",
                    f"{int(commas.sum())} values with a decimal comma and {int(points.sum())} with a decimal point",
                )
            )
            continue
        present = df[col].notna()  # keep the object column (and its NaN) as the other columns are
        df.loc[present, col] = values.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
        converted.append(str(col).strip().upper())
    if mixed:
        raise SurveyValidationError(mixed)
    if not converted:
        return df, []
    shown = ", ".join(converted[:12]) + (f" and {len(converted) - 12} more" if len(converted) > 12 else "")
    note = f"{name}: decimal commas (Spanish-locale spreadsheet) read as decimal points in {len(converted)} columns"
    return df, [f"{note}: {shown}"]


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _read_text(path: Path, name: str) -> tuple[pd.DataFrame, list[str]]:
    raw = path.read_bytes()
    text = _decode(raw)
    if not text.strip():
        raise SurveyValidationError(
            [Problem(name, None, (), "an ENDES table with a header row and data", "an empty file")]
        )
    first = text.splitlines()[0]
    sep = max([",", ";", "\t", "|"], key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    header = next(reader)
    short, long_ = [], []
    n_data = 0
    for line_no, fields in enumerate(reader, start=2):
        if not fields:
            continue
        n_data += 1
        if len(fields) < len(header):
            short.append(line_no)
        elif len(fields) > len(header):
            long_.append(line_no)
    problems = []
    if short:
        problems.append(
            Problem(
                name,
                None,
                tuple(short),
                f"{len(header)} fields per row as in the header",
                "fewer fields (is the file truncated?)",
            )
        )
    if long_:
        problems.append(
            Problem(name, None, tuple(long_), f"{len(header)} fields per row as in the header", "more fields")
        )
    if n_data == 0:
        problems.append(Problem(name, None, (), "at least one data row", "only a header"))
    if problems:
        raise SurveyValidationError(problems)
    df = pd.read_csv(
        io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=MISSING_TEXT, skip_blank_lines=True
    )
    df["__row"] = np.arange(2, len(df) + 2)
    return _decimal_commas(df, name)


def _read_stat(path: Path, kind: str) -> pd.DataFrame:
    read = pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta
    df, meta = read(str(path))
    # Value labels only on categorical columns; numeric measurements keep their codes.
    for col, value_labels in meta.variable_value_labels.items():
        if col.upper() in CATEGORICAL and col in df.columns:
            df[col] = df[col].map(lambda v, vl=value_labels: vl.get(v, v))
    df["__row"] = np.arange(1, len(df) + 1)
    return df


def read_table(path: Path, name: str | None = None) -> RawTable:
    """Read one survey file and tell which ENDES module it is."""
    path = Path(path)
    name = name or path.name
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise SurveyValidationError(
            [
                Problem(
                    name,
                    None,
                    (),
                    f"a file ending in {', '.join(sorted(READERS))}",
                    f"'{path.suffix or 'no extension'}'",
                )
            ]
        )
    if path.stat().st_size == 0:
        raise SurveyValidationError(
            [Problem(name, None, (), "an ENDES table with a header row and data", "an empty file")]
        )
    notes: list[str] = []
    try:
        if kind == "csv":
            df, notes = _read_text(path, name)
        else:
            df = _read_stat(path, kind)
    except SurveyValidationError:
        raise
    except Exception as exc:  # parser errors from pandas/pyreadstat name no file; add it
        raise SurveyValidationError(
            [Problem(name, None, (), f"a readable {kind.upper()} file", str(exc)[:200])]
        ) from exc
    df.columns = [c if c == "__row" else str(c).strip().upper() for c in df.columns]
    for col in ("HHID", "CASEID"):
        if col in df.columns:
            df[col] = df[col].astype("string").str.strip()
    cols = set(df.columns)
    module = next((m for m, sig in MODULE_SIGNATURES if sig <= cols), None)
    if module is None:
        expected = "; ".join(f"{m}: {', '.join(sorted(sig))}" for m, sig in MODULE_SIGNATURES[1:])
        raise SurveyValidationError(
            [
                Problem(
                    name,
                    None,
                    (),
                    f"the columns of an ENDES module ({expected})",
                    f"columns {', '.join(sorted(cols - {'__row'})[:12])}",
                )
            ]
        )
    return RawTable(name, df, module, tuple(notes))


def _numeric(df: pd.DataFrame, col: str, name: str, problems: list[Problem]) -> pd.Series:
    if col not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype=float)
    raw = df[col]
    if raw.dtype == object or isinstance(raw.dtype, pd.StringDtype):
        raw = raw.astype("string").str.strip().str.replace(",", ".", regex=False)
    out = pd.to_numeric(raw, errors="coerce")
    bad = out.isna() & raw.notna()
    if bad.any():
        problems.append(
            Problem(
                name, col, tuple(df.loc[bad, "__row"]), "a number", ", ".join(repr(v) for v in raw[bad].unique()[:3])
            )
        )
    return out.astype(float)


def _mapped(df: pd.DataFrame, col: str, mapping: dict, name: str, problems: list[Problem], expected: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype=object)
    values, bad = labels.normalise(df[col], mapping)
    if bad.any():
        problems.append(
            Problem(
                name,
                col,
                tuple(df.loc[bad, "__row"]),
                expected,
                ", ".join(repr(v) for v in df.loc[bad, col].unique()[:3]),
            )
        )
    return values


HW_COLUMNS = ["HWIDX", "HW1", "HW2", "HW3", "HW70", "HW71", "HW72", "HW73"]


def _resolve_merge_duplicates(df: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[str]]:
    """Undo the one-to-many merge with the woman's file (HW*) found in merged child files.

    HW* values describe the child only when the woman's record is the same child
    (same age, HW1 == HC1); otherwise they are blanked. Rows that then repeat one
    child (year, HHID, HC0) with identical child data are collapsed to one; rows
    that disagree on anything else are left for the uniqueness check to reject.
    """
    notes: list[str] = []
    hw = [c for c in HW_COLUMNS if c in df.columns]
    if "HW1" in df.columns and "HC1" in df.columns:
        same = pd.to_numeric(df["HW1"], errors="coerce") == pd.to_numeric(df["HC1"], errors="coerce")
        if "HW70" in df.columns and "HC70" in df.columns:
            hw70 = pd.to_numeric(df["HW70"], errors="coerce")
            hc70 = pd.to_numeric(df["HC70"], errors="coerce")
            same &= (hw70 == hc70) | hw70.isna() | hc70.isna() | (hc70 >= 9996)
        if (~same).any():
            notes.append(
                f"{name}: woman's-file anthropometry (HW*) of another child blanked in {int((~same).sum())} rows"
            )
        df = df.copy()
        df.loc[~same, [c for c in hw if c != "HWIDX"]] = np.nan
        df["__hw_match"] = same
    year = "ANIO" if "ANIO" in df.columns else "HV007"
    key = [c for c in (year, "HHID", "HC0") if c in df.columns]
    if len(key) < 3:
        return df.drop(columns="__hw_match", errors="ignore"), notes
    other = [c for c in df.columns if c not in hw and c not in ("__row", "__hw_match")]
    dup = df.duplicated(key, keep=False)
    if dup.any():
        consistent = df[dup].groupby(key, dropna=False)[other].nunique(dropna=False).max(axis=1) == 1
        ok_keys = consistent[consistent].index
        in_ok = df.set_index(key).index.isin(ok_keys)
        order = df.assign(__rank=~df.get("__hw_match", pd.Series(True, index=df.index)))
        keep = ~in_ok | ~order.sort_values("__rank", kind="stable").duplicated(key).reindex(df.index)
        collapsed = int((~keep).sum())
        if collapsed:
            notes.append(f"{name}: {collapsed} duplicate rows of the same child (identical but for HW*) merged")
        df = df[keep]
    return df.drop(columns="__hw_match", errors="ignore"), notes


def _join_modules(tables: Sequence[RawTable]) -> tuple[pd.DataFrame, str]:
    """Join RECH6 with RECH0 (+RECH1, RECH23, REC0111) on HHID and the child's line number."""
    by_module: dict[str, list[RawTable]] = {}
    for t in tables:
        by_module.setdefault(t.module, []).append(t)
    names = ", ".join(t.name for t in tables)
    missing = [m for m in ("RECH6", "RECH0") if m not in by_module]
    if missing:
        raise SurveyValidationError(
            [
                Problem(
                    names,
                    None,
                    (),
                    "module files RECH6 (children) and RECH0 (household) together",
                    f"no {' or '.join(missing)} among the files",
                )
            ]
        )

    def stack(module: str) -> pd.DataFrame:
        frames = [t.frame.assign(__file=t.name) for t in by_module[module]]
        return pd.concat(frames, ignore_index=True)

    child = stack("RECH6")
    child["HC0"] = pd.to_numeric(child["HC0"], errors="coerce")
    rech0_full = stack("RECH0")
    problems = []
    rech0 = rech0_full.drop(columns=["__row", "__file"]).drop_duplicates()
    clash = rech0["HHID"].duplicated(keep=False)
    if clash.any():
        # RECH6 has no year, so one household id must mean one household: one survey year per upload.
        rows = rech0_full.loc[rech0_full["HHID"].isin(rech0.loc[clash, "HHID"]), "__row"]
        problems.append(
            Problem(
                ", ".join(t.name for t in by_module["RECH0"]),
                "HHID",
                tuple(rows),
                "each household once in RECH0 (upload one survey year's modules at a time)",
                f"{int(clash.sum())} rows for {rech0.loc[clash, 'HHID'].nunique()} households",
            )
        )
        raise SurveyValidationError(problems)
    child = child.merge(rech0, on="HHID", how="left", suffixes=("", "_RECH0"), indicator="__rech0")
    orphan = child["__rech0"] == "left_only"
    if orphan.any():
        problems.append(
            Problem(
                child.loc[orphan, "__file"].iloc[0],
                "HHID",
                tuple(child.loc[orphan, "__row"]),
                "a household (HHID) present in RECH0",
                "no matching household",
            )
        )
    child = child.drop(columns="__rech0")
    if "RECH1" in by_module:
        rech1 = stack("RECH1").drop(columns=["__row", "__file"])
        rech1["HVIDX"] = pd.to_numeric(rech1["HVIDX"], errors="coerce")
        keep = ["HHID", "HVIDX"] + [c for c in rech1.columns if c not in child.columns and c not in ("HHID", "HVIDX")]
        child = child.merge(
            rech1[keep].drop_duplicates(["HHID", "HVIDX"]),
            left_on=["HHID", "HC0"],
            right_on=["HHID", "HVIDX"],
            how="left",
        )
    if "RECH23" in by_module:
        rech23 = stack("RECH23").drop(columns=["__row", "__file"])
        keep = ["HHID"] + [c for c in rech23.columns if c not in child.columns and c != "HHID"]
        child = child.merge(rech23[keep].drop_duplicates("HHID"), on="HHID", how="left")
    if "REC0111" in by_module:
        women = stack("REC0111").drop(columns=["__row", "__file"])
        women["__hh"] = women["CASEID"].str[:-3].str.strip()
        women["__line"] = pd.to_numeric(women["CASEID"].str[-3:], errors="coerce")
        keep = ["__hh", "__line", "CASEID"] + [c for c in women.columns if c.startswith("V") and c not in child.columns]
        if "HC60" in child.columns:
            child["__mline"] = pd.to_numeric(child["HC60"], errors="coerce")
            child = child.merge(
                women[keep].drop_duplicates(["__hh", "__line"]),
                left_on=["HHID", "__mline"],
                right_on=["__hh", "__line"],
                how="left",
            ).drop(columns=["__hh", "__line", "__mline"])
        else:
            log.warning("RECH6 has no HC60 (mother's line): REC0111 cannot be joined; mother's covariates left missing")
    if problems:
        raise SurveyValidationError(problems)
    label = child["__file"].iloc[0] if child["__file"].nunique() == 1 else names
    return child.drop(columns="__file"), label


def _stratum_is_outcome(stratum: pd.Series, outcome: pd.Series, purity: float = 0.95) -> bool:
    """True when a stratum column sorts children by the outcome (>= 95 % purity), so it is no design stratum."""
    known = outcome.notna() & stratum.notna()
    if known.sum() < 50 or outcome[known].nunique() < 2:
        return False
    y = outcome[known].astype(bool)
    majority = y.groupby(stratum[known]).transform(lambda g: g.mean() >= 0.5)
    return bool((y == majority).mean() >= purity)


def canonicalise(df: pd.DataFrame, name: str, notes: list[str] | None = None) -> pd.DataFrame:
    """ENDES-named columns -> the canonical table (see CANONICAL_COLUMNS), or raise."""
    problems: list[Problem] = []
    required = {
        "HHID": "household id",
        "HC0": "child's line number",
        "HC1": "age in months",
        "HC27": "sex",
        "HV001": "cluster",
        "HV024": "department",
        "HV025": "urban/rural",
    }
    absent = [f"{c} ({what})" for c, what in required.items() if c not in df.columns]
    if "PESO" not in df.columns and "HV005" not in df.columns:
        absent.append("PESO or HV005 (household weight)")
    if "ANIO" not in df.columns and "HV007" not in df.columns:
        absent.append("ANIO or HV007 (survey year)")
    if not ({"HC53"} & set(df.columns) or {"HC70", "HC3", "HW3"} & set(df.columns)):
        absent.append("HC53 (hemoglobin) or HC70/HC3 (height-for-age or height)")
    if absent:
        raise SurveyValidationError(
            [Problem(name, c, (), "this column to be present", "it is missing") for c in absent]
        )

    out = pd.DataFrame(index=df.index)
    out["source_file"] = name
    out["source_row"] = df["__row"].astype(int)
    year = _numeric(df, "ANIO" if "ANIO" in df.columns else "HV007", name, problems)
    out["year"] = year.astype("Int64")
    out["household_id"] = df["HHID"].astype("string")
    out["child_line"] = _numeric(df, "HC0", name, problems).astype("Int64")
    cluster = _numeric(df, "HV001", name, problems)
    out["cluster"] = year.astype("Int64").astype("string") + "_" + cluster.astype("Int64").astype("string")
    if "PESO" in df.columns:
        out["weight"] = _numeric(df, "PESO", name, problems)
    else:
        out["weight"] = _numeric(df, "HV005", name, problems) / 1e6
    dept, bad = labels.department_code(df["HV024"])
    if bad.any():
        problems.append(
            Problem(
                name,
                "HV024",
                tuple(df.loc[bad, "__row"]),
                "a department name (Amazonas ... Ucayali) or ENDES code 1-25",
                ", ".join(repr(v) for v in df.loc[bad, "HV024"].unique()[:3]),
            )
        )
    out["department"] = dept.astype("string")
    if "UBIGEO" in df.columns:
        ub = df["UBIGEO"].astype("string").str.strip().str.replace(r"\.0$", "", regex=True).str.zfill(6)
        out["district"] = ub.where(df["UBIGEO"].notna())
    else:
        out["district"] = pd.Series(pd.NA, index=df.index, dtype="string")
    out["area"] = _mapped(df, "HV025", labels.AREA, name, problems, "urbano/rural (or 1/2)").astype("string")
    alt = _numeric(df, "HV040", name, problems)
    out["altitude_m"] = alt.where(alt < 9990)
    out["age_months"] = _numeric(df, "HC1", name, problems)
    out["sex"] = _mapped(df, "HC27", labels.SEX, name, problems, "hombre/mujer (or 1/2)").astype("string")

    hb = _numeric(df, "HC53", name, problems)
    measured = (
        _mapped(df, "HC55", labels.MEASURED, name, problems, "medido/no presente/rechazo (or 0-3)")
        if "HC55" in df.columns
        else pd.Series(True, index=df.index)
    )
    # Codes 994-999 mean not measured; values are g/dL x 10.
    out["hemoglobin_gdl"] = (hb / 10).where((hb < 994) & measured.fillna(False).astype(bool))

    height = _numeric(df, "HC3" if "HC3" in df.columns else "HW3", name, problems)
    out["height_cm"] = (height / 10).where(height < 9990)
    wkg = _numeric(df, "HC2" if "HC2" in df.columns else "HW2", name, problems)
    out["weight_kg"] = (wkg / 10).where(wkg < 9990)
    hc70 = _numeric(df, "HC70", name, problems)
    # 9996+ are DHS flags (implausible or not measured): missing, never zero.
    out["haz"] = (hc70 / 100).where(hc70 < 9996)
    out["haz_source"] = pd.Series(
        np.select([out["haz"].notna(), hc70 >= 9996], ["HC70", "flagged"], None), index=df.index, dtype="string"
    ).replace("None", pd.NA)

    out["mother_education"] = pd.Categorical(
        _mapped(df, "V106", labels.EDUCATION, name, problems, "sin educación/primaria/secundaria/superior (or 0-3)"),
        categories=labels.EDUCATION_ORDER,
        ordered=True,
    )
    out["mother_years_schooling"] = _numeric(df, "V133", name, problems).where(lambda s: s < 90)
    out["mother_age"] = _numeric(df, "V012", name, problems)
    wealth_col = "V190" if "V190" in df.columns else "HV270"
    out["wealth_quintile"] = _mapped(
        df, wealth_col, labels.WEALTH, name, problems, "más pobre/pobre/medio/rico/más rico (or 1-5)"
    ).astype("Int64")
    out["birth_order"] = _numeric(df, "BORD", name, problems).astype("Int64")
    out["treats_water"] = _mapped(df, "HV237", labels.YES_NO, name, problems, "sí/no (or 1/0)").astype("boolean")
    out["de_facto"] = _mapped(df, "HV103", labels.YES_NO, name, problems, "sí/no (or 1/0)").astype("boolean")
    if "ANEMIA" in df.columns:
        out["anemia_reported"] = _numeric(df, "ANEMIA", name, problems).map({1.0: True, 0.0: False}).astype("boolean")
    elif "HC57" in df.columns:
        lvl = _mapped(df, "HC57", labels.ANEMIA_LEVEL, name, problems, "severa/moderada/leve/sin anemia (or 1-4)")
        out["anemia_reported"] = lvl.map(lambda v: None if pd.isna(v) else v != "sin anemia").astype("boolean")
    else:
        out["anemia_reported"] = pd.Series(pd.NA, index=df.index, dtype="boolean")

    by_area = out["year"].astype("string") + "_" + out["department"] + "_" + out["area"]
    if "ESTRATO" in df.columns:
        out["stratum"] = df["ESTRATO"].astype("string").str.strip()
        if _stratum_is_outcome(out["stratum"], out["anemia_reported"]):
            # The bundled sample's ESTRATO is year_ANEMIA (made for a stratified train/test split),
            # not a design stratum: strata that are the outcome make anemia's variance vanish.
            out["stratum"] = by_area
            if notes is not None:
                notes.append(
                    f"{name}: ESTRATO follows the anemia outcome (year_ANEMIA), not the survey design; "
                    "strata rebuilt as year x department x area (ENDES's design strata)"
                )
    elif "HV022" in df.columns:
        out["stratum"] = (
            out["year"].astype("string") + "_" + _numeric(df, "HV022", name, problems).astype("Int64").astype("string")
        )
    else:
        # ENDES is stratified by department x area; use that when no stratum is given.
        out["stratum"] = by_area
    if problems:
        raise SurveyValidationError(problems)
    return out[CANONICAL_COLUMNS].reset_index(drop=True)


def read_endes(paths: Iterable[Path | str], names: Sequence[str] | None = None) -> EndesData:
    """Read, join, normalise and validate ENDES files into the canonical child table.

    Args:
        paths: one bundled-style child file, or INEI module files (RECH6 + RECH0 at least).
        names: display names for the files (defaults to their file names), used in errors.

    Raises:
        SurveyValidationError: listing every file, column, row and expectation that failed.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise SurveyValidationError([Problem("(no file)", None, (), "at least one survey file", "none")])
    names = list(names) if names else [p.name for p in paths]
    tables, problems = [], []
    for path, name in zip(paths, names, strict=True):
        try:
            tables.append(read_table(path, name))
        except SurveyValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SurveyValidationError(problems)
    samples = [t for t in tables if t.module == "sample"]
    frames = []
    notes: list[str] = [n for t in tables for n in t.notes]
    if samples and len(samples) != len(tables):
        raise SurveyValidationError(
            [
                Problem(
                    ", ".join(names),
                    None,
                    (),
                    "either merged child-level files or INEI module files, not both",
                    "a mix",
                )
            ]
        )
    if samples:
        for t in samples:
            try:
                frame, more = _resolve_merge_duplicates(t.frame, t.name)
                notes.extend(more)
                frames.append(canonicalise(frame, t.name, notes))
            except SurveyValidationError as exc:
                problems.extend(exc.problems)
    else:
        try:
            joined, label = _join_modules(tables)
            frames.append(canonicalise(joined, label, notes))
        except SurveyValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SurveyValidationError(problems)
    table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return EndesData(validate_canonical(table), tuple(notes))

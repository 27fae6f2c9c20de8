"""ENDES ingestion on the real bundled sample, INEI module files, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from app.config import BUNDLED_SURVEY
from app.data.endes import read_endes
from app.data.errors import SurveyValidationError
from app.data.labels import DEPARTMENTS, fold


@pytest.fixture(scope="module")
def raw_sample() -> pd.DataFrame:
    return pd.read_csv(BUNDLED_SURVEY, encoding="utf-8-sig", dtype={"HHID": str, "CASEID": str})


def _write_rows(path, raw_sample, rows=40, encoding="utf-8"):
    raw_sample.head(rows).to_csv(path, index=False, encoding=encoding)
    return path


# --- the bundled sample ---------------------------------------------------------------------------


def test_sample_loads_into_the_canonical_table(endes_data):
    t = endes_data.table
    assert len(t) == 13147 - 263  # 263 rows repeated a child only through the woman's-file merge
    assert any("263 duplicate rows" in n for n in endes_data.notes)
    assert sorted(t["year"].unique()) == list(range(2015, 2025))
    assert set(t["department"]) == set(DEPARTMENTS)
    assert t["weight"].gt(0).all()
    assert set(t["area"]) == {"urbano", "rural"}
    assert set(t["sex"]) == {"hombre", "mujer"}
    assert t["age_months"].between(6, 35).all()
    assert not t.duplicated(["year", "household_id", "child_line"]).any()


def test_an_estrato_that_is_the_outcome_is_replaced_by_design_strata(endes_data, survey):
    """The bundled ESTRATO is year_ANEMIA: used as strata it makes anemia's sampling variance vanish."""
    t = endes_data.table
    assert any("ESTRATO follows the anemia outcome" in n for n in endes_data.notes)
    assert (t["stratum"] == t["year"].astype(str) + "_" + t["department"] + "_" + t["area"]).all()
    from app.indicators.survey import prevalence

    year = survey[survey["year"] == 2024]
    puno = year.assign(y=year["anemia"].where(year["department"] == "21"))
    se = prevalence(puno, "y").iloc[0]["se"]
    assert 0.04 < se < 0.12  # ~60 children: several points, not the ~0 that outcome strata give


def test_a_real_design_stratum_is_kept(tmp_path, raw_sample):
    frame = raw_sample.head(400).copy()
    frame["ESTRATO"] = frame["ANIO"].astype(str) + "_" + frame["HV025"].astype(str)
    path = tmp_path / "strata.csv"
    frame.to_csv(path, index=False)
    data = read_endes([path])
    assert not any("ESTRATO" in n for n in data.notes)
    assert data.table["stratum"].str.endswith(("urbano", "rural")).all()


def test_labels_in_two_languages_are_normalised(endes_data):
    t = endes_data.table
    assert set(t["mother_education"].dropna()) == {"sin educación", "primaria", "secundaria", "superior"}
    assert set(t["wealth_quintile"].dropna()) == {1, 2, 3, 4, 5}
    assert fold("Más Rico ") == "mas rico"


def test_hc70_flags_are_missing_never_values(tmp_path, raw_sample):
    rows = raw_sample.head(10).copy()
    rows.loc[[0, 1], "HC70"] = [9996.0, 9998.0]  # synthetic: DHS flag codes
    path = tmp_path / "flags.csv"
    rows.to_csv(path, index=False)
    t = read_endes([path]).table
    assert t.loc[[0, 1], "haz"].isna().all()
    assert list(t.loc[[0, 1], "haz_source"]) == ["flagged", "flagged"]
    assert t.loc[2:, "haz"].tolist() == (rows.loc[2:, "HC70"] / 100).tolist()


# --- INEI module files (RECH6 + RECH0 + RECH1 + RECH23 + REC0111), built from the real sample -------


def _split_modules(s: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Real sample rows split back into INEI's modules (a reshaping of real rows, no invented values)."""
    s = s.copy()
    # CASEID = HHID + the mother's line (3 characters); "No en el hogar" when she is absent.
    s["HC60"] = pd.to_numeric(s["CASEID"].str[-3:], errors="coerce").astype("Int64")
    s["HV005"] = (s["PESO"] * 1e6).round().astype(int)
    s["HV007"] = s["ANIO"]
    s["HV022"] = s["ESTRATO"].str.split("_").str[1].astype(int)
    house = ["HHID", "HV007"]
    return {
        "RECH6": s[["HHID", "HC0", "HC1", "HC27", "HC53", "HC55", "HC57", "HC70", "HC60"]],
        "RECH0": s[["HHID", "HV001", "HV002", "HV005", "HV007", "HV022", "HV024", "HV025", "HV040"]].drop_duplicates(
            house
        ),
        "RECH1": s[["HHID", "HC0", "HV103"]].rename(columns={"HC0": "HVIDX"}),
        "RECH23": s[["HHID", "HV007", "HV237", "V190"]]
        .rename(columns={"V190": "HV270"})
        .drop_duplicates(house)
        .drop(columns="HV007"),
        "REC0111": s.loc[
            s["V106"].notna() & s["HC60"].notna(), ["CASEID", "V012", "V106", "V133", "V190", "V025"]
        ].drop_duplicates("CASEID"),
    }


@pytest.fixture(scope="module")
def children(raw_sample) -> pd.DataFrame:
    return raw_sample.drop_duplicates(["ANIO", "HHID", "HC0"])


def _year(children: pd.DataFrame, year: int) -> dict[str, pd.DataFrame]:
    """One survey year's modules, as INEI publishes them."""
    return _split_modules(children[children["ANIO"] == year])


def _compare_with_sample(loaded: pd.DataFrame, endes_data) -> None:
    key = ["year", "household_id", "child_line"]
    ref = endes_data.table.set_index(key)
    got = loaded.set_index(key)
    assert len(got) == len(ref)
    both = ref.join(got, suffixes=("", "_m"), how="inner")
    assert len(both) == len(ref)
    for col in ("department", "area", "sex", "age_months", "hemoglobin_gdl", "haz", "altitude_m"):
        a, b = both[col], both[f"{col}_m"]
        assert ((a == b) | (a.isna() & b.isna())).all(), col
    assert np.allclose(both["weight"], both["weight_m"], atol=1e-6)
    assert (
        both["mother_education"].astype(object).fillna("-") == both["mother_education_m"].astype(object).fillna("-")
    ).all()


def test_module_csvs_join_to_the_same_children(tmp_path, children, endes_data):
    tables = []
    for year in range(2015, 2025):
        paths = []
        for name, frame in _year(children, year).items():
            path = tmp_path / f"{name}_{year}.csv"
            frame.to_csv(path, index=False)
            paths.append(path)
        tables.append(read_endes(paths).table)
    _compare_with_sample(pd.concat(tables, ignore_index=True), endes_data)


def test_several_years_of_modules_at_once_are_refused(tmp_path, children):
    paths = []
    for name, frame in _split_modules(children).items():
        path = tmp_path / f"{name}.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
    with pytest.raises(SurveyValidationError, match="one survey year"):
        read_endes(paths)


def test_module_spss_and_stata_files_with_value_labels(tmp_path, children, endes_data):
    year = _year(children, 2024)
    # INEI's .sav files code HV024 as 1-25 with value labels; write them that way.
    codes = {fold(n): int(c) for c, n in DEPARTMENTS.items()}
    rech0 = year["RECH0"].copy()
    rech0["HV024"] = rech0["HV024"].map(lambda n: codes[fold(n)]).astype(float)
    labels = {"HV024": {float(int(c)): n for c, n in DEPARTMENTS.items()}}
    paths = [tmp_path / "RECH0.sav"]
    pyreadstat.write_sav(rech0, str(paths[0]), variable_value_labels=labels)
    for name in ("RECH6", "RECH1", "RECH23"):
        path = tmp_path / f"{name}.sav"
        pyreadstat.write_sav(year[name].astype({"HC60": float} if name == "RECH6" else {}), str(path))
        paths.append(path)
    dta = tmp_path / "REC0111.dta"
    pyreadstat.write_dta(year["REC0111"], str(dta))
    paths.append(dta)
    loaded = read_endes(paths).table
    ref = endes_data.table[endes_data.table["year"] == 2024]
    assert len(loaded) == len(ref)
    merged = ref.merge(loaded, on=["household_id", "child_line"], suffixes=("", "_m"))
    assert len(merged) == len(ref)
    assert (merged["department"] == merged["department_m"]).all()
    assert (merged["hemoglobin_gdl"] == merged["hemoglobin_gdl_m"]).all()
    edu = merged["mother_education"].astype(object).fillna("-")
    assert (edu == merged["mother_education_m"].astype(object).fillna("-")).all()


def test_module_without_household_file_is_rejected(tmp_path, children):
    path = tmp_path / "RECH6.csv"
    _year(children, 2024)["RECH6"].to_csv(path, index=False)
    with pytest.raises(SurveyValidationError, match="RECH0"):
        read_endes([path])


# --- bad input (synthetic edits of real rows, labelled as such) ------------------------------------


def test_latin1_file_loads_with_accents(tmp_path, raw_sample):
    path = _write_rows(tmp_path / "latin1.csv", raw_sample, encoding="latin-1")
    t = read_endes([path]).table
    assert len(t) == 40
    assert "sin educación" in set(t["mother_education"].dropna()) or t["mother_education"].notna().any()
    assert set(t["department"]) <= set(DEPARTMENTS)


def test_semicolon_separated_file_loads(tmp_path, raw_sample):
    path = tmp_path / "semicolon.csv"
    raw_sample.head(30).to_csv(path, index=False, sep=";")
    assert len(read_endes([path]).table) == 30


def test_sample_as_spss_file_loads(tmp_path, raw_sample):
    path = tmp_path / "sample.sav"
    pyreadstat.write_sav(raw_sample.head(200).drop(columns=["HC57_str"]), str(path))
    assert len(read_endes([path]).table) == 200 - raw_sample.head(200).duplicated(["ANIO", "HHID", "HC0"]).sum()


def test_truncated_csv_names_the_cut_row(tmp_path, raw_sample):
    path = _write_rows(tmp_path / "truncated.csv", raw_sample)
    text = path.read_text()
    path.write_text(text[: len(text) - 120])  # synthetic: the download stopped mid-row
    with pytest.raises(SurveyValidationError) as err:
        read_endes([path])
    msg = str(err.value)
    assert "truncated.csv" in msg
    assert "row 41" in msg
    assert "truncated" in msg


def test_file_without_department_column(tmp_path, raw_sample):
    path = tmp_path / "no_hv024.csv"
    raw_sample.head(20).drop(columns=["HV024"]).to_csv(path, index=False)
    with pytest.raises(SurveyValidationError) as err:
        read_endes([path])
    assert err.value.problems[0].column == "HV024 (department)"
    assert "no_hv024.csv" in str(err.value)
    assert "missing" in str(err.value)


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(SurveyValidationError, match=r"empty\.csv.*empty file"):
        read_endes([path])


def test_header_only_file(tmp_path, raw_sample):
    path = tmp_path / "header.csv"
    raw_sample.head(0).to_csv(path, index=False)
    with pytest.raises(SurveyValidationError, match="only a header"):
        read_endes([path])


def test_hemoglobin_out_of_range_names_rows_and_range(tmp_path, raw_sample):
    bad = raw_sample.head(30).copy()
    bad.loc[[2, 7], "HC53"] = [400.0, 12.0]  # synthetic: 40.0 and 1.2 g/dL
    path = tmp_path / "hb.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(SurveyValidationError) as err:
        read_endes([path])
    (problem,) = err.value.problems
    assert problem.file == "hb.csv"
    assert problem.column.startswith("HC53")
    assert problem.rows == (4, 9)  # file lines (header is line 1)
    assert "3.0-25.0 g/dL" in problem.expected


def test_conflicting_duplicate_children_are_rejected(tmp_path, raw_sample):
    rows = raw_sample.head(10).copy()
    dup = rows.iloc[[3]].copy()
    dup["HC53"] = dup["HC53"] + 10  # synthetic: same child, another hemoglobin
    path = tmp_path / "dups.csv"
    pd.concat([rows, dup]).to_csv(path, index=False)
    with pytest.raises(SurveyValidationError) as err:
        read_endes([path])
    (problem,) = err.value.problems
    assert problem.found == "duplicate children"
    assert set(problem.rows) == {5, 12}
    assert problem.column == "ANIO, HHID, HC0"


def test_unknown_labels_and_text_in_numbers_are_listed_together(tmp_path, raw_sample):
    bad = raw_sample.head(15).copy().astype({"HC1": object})
    bad.loc[1, "HV024"] = "Atlantis"
    bad.loc[4, "HC1"] = "doce"
    path = tmp_path / "labels.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(SurveyValidationError) as err:
        read_endes([path])
    cols = {p.column for p in err.value.problems}
    assert {"HV024", "HC1"} <= cols
    assert "Atlantis" in str(err.value)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "survey.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(SurveyValidationError, match=r"survey\.xlsx"):
        read_endes([path])

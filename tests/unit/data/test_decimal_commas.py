"""Spanish-locale spreadsheets (``;`` and decimal commas) read exactly like the original, and say so.

Before, HW1/HC1 compared as text-to-number failed on ``27,0``, so the woman's-file
height and weight were blanked for every child, silently.
"""

from __future__ import annotations

import pandas as pd
import pytest

from app.config import BUNDLED_SURVEY
from app.data.endes import read_endes
from app.data.errors import SurveyValidationError


@pytest.fixture(scope="module")
def spanish_csv(tmp_path_factory):
    frame = pd.read_csv(BUNDLED_SURVEY, encoding="utf-8-sig", low_memory=False, dtype={"HHID": str})
    path = tmp_path_factory.mktemp("es") / "endes_es.csv"
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="latin-1")
    return path


def test_decimal_comma_file_gives_the_same_table_and_a_note(spanish_csv, endes_data):
    data = read_endes([spanish_csv])
    ours, theirs = data.table.drop(columns="source_file"), endes_data.table.drop(columns="source_file")
    pd.testing.assert_frame_equal(ours, theirs)
    assert data.table["height_cm"].notna().mean() > 0.7
    note = next(n for n in data.notes if "decimal commas" in n)
    assert note.startswith("endes_es.csv:")
    assert "HC53" in note


def test_a_column_mixing_decimal_commas_and_points_is_rejected_by_name(tmp_path):
    lines = (BUNDLED_SURVEY.read_text(encoding="utf-8-sig").splitlines())[:40]
    header = lines[0].split(",")
    at = header.index("HC53")
    rows = [r.split(",") for r in lines[1:]]
    for r in rows[:3]:
        r[at] = r[at].replace(".", ",")  # test data: three values in decimal commas, the rest with points
    path = tmp_path / "mixto.csv"
    path.write_text("\n".join(";".join(r) for r in [header, *rows]), encoding="utf-8")
    with pytest.raises(SurveyValidationError) as err:
        read_endes([path])
    problem = err.value.problems[0]
    assert (problem.file, problem.column) == ("mixto.csv", "HC53")
    assert "decimal comma" in problem.found

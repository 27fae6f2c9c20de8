"""Print how many Hypothesis examples the survey property tests ran."""

from __future__ import annotations

import sys


def pytest_terminal_summary(terminalreporter) -> None:
    props = sys.modules.get("tests.unit.data.test_survey_properties")
    if props is None or not props.COUNTS:
        return
    terminalreporter.write_sep("-", f"hypothesis: survey reader properties, max_examples={props.EXAMPLES} each")
    for name, n in props.COUNTS.items():
        terminalreporter.write_line(f"{name}: {n} examples run")

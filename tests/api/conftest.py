"""Print the contract-fuzzing counts at the end of the run (schemathesis' own figures)."""

from __future__ import annotations

import sys


def pytest_terminal_summary(terminalreporter) -> None:
    contract = sys.modules.get("tests.api.test_contract")
    if contract is None or not contract.RUNS:
        return
    terminalreporter.write_sep("-", f"schemathesis: fuzzing max_examples={contract.MAX_EXAMPLES} per operation")
    for line in contract.RUNS:
        terminalreporter.write_line(line)

"""Dash callback requests built the way the browser builds them (from ``/_dash-dependencies``).

Used by the load test (bench/locustfile.py) and by tests/ops/test_prometheus.py to drive real callbacks.
"""

from __future__ import annotations

from typing import Any


def _outputs(output: str) -> list[dict] | dict:
    if not output.startswith(".."):
        cid, prop = output.split("@", maxsplit=1)[0].rsplit(".", 1)
        return {"id": cid, "property": prop}
    parts = output.split("@", maxsplit=1)[0].strip(".").split("...")
    return [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]


def find(dependencies: list[dict], output_prefix: str) -> dict:
    """The callback whose output id starts with ``output_prefix`` (e.g. ``"..map-graph.figure"``)."""
    for dep in dependencies:
        if dep["output"].startswith(output_prefix):
            return dep
    raise KeyError(f"no callback with output {output_prefix!r}")


def payload(dep: dict, values: dict[str, Any], changed: str | None = None) -> dict:
    """The POST body of ``/_dash-update-component`` for ``dep``, with ``values`` keyed ``"id.property"``."""

    def items(kind: str) -> list[dict]:
        return [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in dep.get(kind, [])]

    first = dep["inputs"][0]
    return {
        "output": dep["output"],
        "outputs": _outputs(dep["output"]),
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": [changed or f"{first['id']}.{first['property']}"],
    }

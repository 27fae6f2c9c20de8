"""/metrics of the dashboard: who may scrape, bounded labels, the figures a team watches."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest


def _series(text: str, name: str) -> set[str]:
    return {line.split(" ")[0] for line in text.splitlines() if line.startswith((name + "{", name + " "))}


def _value(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{series} not in /metrics")


def test_metrics_only_for_allowed_networks_or_token(settings):
    from app import create_app
    from tests.conftest import _reset_dash_globals

    _reset_dash_globals()
    client = create_app(replace(settings, metrics_token="s3cret")).server.test_client()
    assert client.get("/metrics").status_code == 200  # loopback is allowed by default
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outside).status_code == 403
    wrong = client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    ok = client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200
    assert "nutrimapa_http_requests_total" in ok.text
    _reset_dash_globals()


def test_settings_read_metrics_access_from_env():
    from app.config import Settings

    s = Settings.from_env(
        {
            "NUTRIMAPA_METRICS_ALLOW": "10.0.0.0/8, 127.0.0.1/32",
            "NUTRIMAPA_METRICS_TOKEN": "t",
            "PROMETHEUS_MULTIPROC_DIR": "/x",
        }
    )
    assert s.metrics_allow == ("10.0.0.0/8", "127.0.0.1/32")
    assert s.metrics_token == "t"
    assert str(s.metrics_dir) == "/x"


def test_random_paths_and_unknown_callbacks_add_no_series(client):
    client.application.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 as in production

    def bot(i: int) -> None:  # random paths, query strings, methods and callback ids
        client.get(f"/wp-admin/{i}/x.php?id={i}")
        client.get(f"/api/v1/nothing-{i}")
        client.get(f"/distrito/{i:06d}")
        client.post("/_dash-update-component", json={"output": f"made-up-{i}.children", "inputs": []})
        client.open(f"/x{i}", method="PROPFIND")

    bot(0)
    names = (
        "nutrimapa_http_requests_total",
        "nutrimapa_http_request_duration_seconds_bucket",
        "nutrimapa_dash_callbacks_total",
    )
    before = client.get("/metrics").text
    for i in range(1, 40):
        bot(i)
    after = client.get("/metrics").text
    for n in names:
        assert _series(after, n) == _series(before, n), n
    routes = set(re.findall(r'route="([^"]*)"', after))
    assert not {r for r in routes if "nothing-" in r or "x.php" in r or re.search(r"/x\d", r)}, routes
    assert 'callback="unknown"' in after
    assert "made-up" not in after
    assert "wp-admin" not in after
    assert 'method="PROPFIND"' not in after


def test_requests_are_labelled_by_route_template(client):
    client.get("/api/v1/estimates?level=department")
    client.get("/distrito/150101")
    text = client.get("/metrics").text
    assert 'route="/api/v1/estimates"' in text
    assert 'route="/distrito/<ubigeo>"' in text
    assert "nutrimapa_web_worker_resident_memory_bytes" in text


def test_model_and_survey_figures(client):
    from app.config import ROOT

    active = (ROOT / "models" / "ACTIVE").read_text().strip()
    text = client.get("/metrics").text
    assert _value(text, f'nutrimapa_model_info{{version="{active}"}}') == 1
    assert 0.5 < _value(text, 'nutrimapa_model_auc{target="anemia"}') < 1
    assert 0 <= _value(text, 'nutrimapa_model_calibration_error{target="anemia"}') < 0.2
    assert _value(text, "nutrimapa_survey_newest_year") == 2024
    assert _value(text, "nutrimapa_survey_age_seconds") > 0
    # The bundled survey is the model's own training data: no feature has drifted.
    for feature in ("altitude_m", "wealth", "department"):
        assert _value(text, f'nutrimapa_model_feature_drift_psi{{feature="{feature}"}}') < 0.1


@pytest.mark.parametrize(
    ("expected", "actual", "low", "high"), [([50, 50], [50, 50], 0, 1e-9), ([90, 10], [10, 90], 2, 4)]
)
def test_psi_known_values(expected, actual, low, high):
    from app.monitoring import psi

    assert low <= psi(expected, actual) <= high


def test_empty_allow_list_means_token_only(settings):
    from app import create_app
    from app.config import Settings
    from tests.conftest import _reset_dash_globals

    assert Settings.from_env({"NUTRIMAPA_METRICS_ALLOW": ""}).metrics_allow == ()
    _reset_dash_globals()
    client = create_app(replace(settings, metrics_allow=(), metrics_token="t0k")).server.test_client()
    assert client.get("/metrics").status_code == 403  # even from loopback (a reverse proxy on the host)
    assert client.get("/metrics", headers={"Authorization": "Bearer t0k"}).status_code == 200
    _reset_dash_globals()

"""Deployment files are checked by the tools that will read them: promtool, the Compose Specification
schema, kubernetes-validate at a pinned Kubernetes version, hadolint; Grafana dashboards are well-formed
and use the provisioned data source. (Images are not built here: no Docker engine on these machines.)"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.config import ROOT

DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
KUBERNETES_VERSION = "1.33.0"  # the version our clusters run; kubernetes-validate is pinned in requirements-dev.txt


def _run(*cmd, cwd: Path | None = None) -> str:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool not found: `make ops-deps` installs Debian's prometheus package")
    return path


def test_prometheus_config_and_rules(tmp_path):
    promtool = _promtool()
    # The full check opens the token file the compose deployment mounts: give it one here.
    token = tmp_path / "metrics_token"
    token.write_text("test-token\n")
    config = (DEPLOY / "prometheus" / "prometheus.yml").read_text().replace("/run/secrets/metrics_token", str(token))
    (tmp_path / "prometheus.yml").write_text(config)
    shutil.copy(DEPLOY / "prometheus" / "alerts.yml", tmp_path / "alerts.yml")
    assert "SUCCESS" in _run(promtool, "check", "config", str(tmp_path / "prometheus.yml"))
    assert "SUCCESS" in _run(promtool, "check", "rules", str(DEPLOY / "prometheus" / "alerts.yml"))
    assert "SUCCESS" in _run(promtool, "test", "rules", "alerts_test.yml", cwd=DEPLOY / "prometheus")


def test_alertmanager_config():
    amtool = shutil.which("amtool")
    if amtool is None:
        pytest.fail("amtool not found: `make ops-deps` installs Debian's prometheus-alertmanager package")
    assert "SUCCESS" in _run(amtool, "check-config", str(DEPLOY / "alertmanager" / "alertmanager.yml"))


def test_every_alert_rule_has_a_promtool_test():
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    names = {r["alert"] for g in rules["groups"] for r in g["rules"]}
    tests = yaml.safe_load((DEPLOY / "prometheus" / "alerts_test.yml").read_text())
    firing = {t["alertname"] for case in tests["tests"] for t in case["alert_rule_test"] if t.get("exp_alerts")}
    assert names == firing, names ^ firing


def test_compose_file_matches_the_compose_specification():
    # check-jsonschema ships a copy of the Compose Specification's JSON schema (vendor.compose-spec).
    _run(BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", str(DEPLOY / "compose.yaml"))
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    expected = {
        "web",
        "tips",
        "worker",
        "beat",
        "postgres",
        "redis",
        "mosquitto",
        "tips-consumer",
        "prometheus",
        "alertmanager",
        "grafana",
    }
    assert expected <= set(services)
    assert "models:/srv/nutrimapa/models:ro" in services["tips"]["volumes"]
    assert "models:/srv/nutrimapa/models" in services["worker"]["volumes"]
    for name in ("web", "tips", "tips-consumer", "worker", "postgres", "redis", "mosquitto", "prometheus", "grafana"):
        assert "healthcheck" in services[name], name
    ignored = (DEPLOY / ".gitignore").read_text().split()
    assert ".env" in ignored  # secrets stay out of git


def test_kubernetes_manifests_validate():
    files = sorted(p for p in (DEPLOY / "k8s").glob("*.yaml") if p.name != "kustomization.yaml")
    out = _run(BIN / "kubernetes-validate", "--strict", "-k", KUBERNETES_VERSION, *map(str, files))
    kinds = [d["kind"] for p in files for d in yaml.safe_load_all(p.read_text()) if d]
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PersistentVolumeClaim", "ConfigMap"} <= set(kinds)
    assert "Secret" not in kinds  # referenced, never committed
    assert "passed" in out
    kustom = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())
    assert set(kustom["resources"]) == {p.name for p in files}
    web = next(yaml.safe_load_all((DEPLOY / "k8s" / "web.yaml").read_text()))
    container = web["spec"]["template"]["spec"]["containers"][0]
    assert {"readinessProbe", "livenessProbe"} <= set(container)
    assert any(m["name"] == "models" and m.get("readOnly") for m in container["volumeMounts"])


def test_dockerfile_passes_hadolint():
    _run(BIN / "hadolint", str(ROOT / "Dockerfile"))


def test_grafana_dashboards_are_provisioned_and_well_formed():
    source = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())
    uid = source["datasources"][0]["uid"]
    boards = {p.stem: json.loads(p.read_text()) for p in (DEPLOY / "grafana" / "dashboards").glob("*.json")}
    assert set(boards) == {"service", "model", "tips"}
    for name, board in boards.items():
        assert board["uid"].startswith("nutrimapa-"), name
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids)), name
        for panel in board["panels"]:
            assert panel["targets"], (name, panel["title"])
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == uid
                assert "nutrimapa_" in target["expr"] or target["expr"].startswith("up{")


def test_gunicorn_config_sets_up_multiprocess_metrics():
    text = (ROOT / "gunicorn.conf.py").read_text()
    assert "def child_exit" in text
    assert "mark_process_dead" in text
    assert "PROMETHEUS_MULTIPROC_DIR" in text


def _procfile_tips_port() -> int:
    line = next(x for x in (ROOT / "Procfile").read_text().splitlines() if x.startswith("tips:"))
    return int(re.search(r"TIPS_PORT:-(\d+)", line)[1])


def test_the_tips_service_is_deployed_as_it_runs():
    """Port, config, health path and /metrics of the real service (Procfile, tips.main) in compose, k8s and
    Prometheus; its secrets; a weekly scheduler; the broker with the project's settings and ACL."""
    from tips.api import metrics
    from tips.api.routes import health

    port = _procfile_tips_port()
    assert "--config tips/gunicorn_conf.py" in (ROOT / "Procfile").read_text()
    assert [r.path for r in health.router.routes] == ["/health"]  # under /v1 (tips/api/app.py)
    assert [r.path for r in metrics.router.routes] == ["/metrics"]

    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    tips = services["tips"]
    assert f"--bind 0.0.0.0:{port}" in tips["command"]
    assert "--config tips/gunicorn_conf.py" in tips["command"]
    assert f"http://127.0.0.1:{port}/v1/health" in " ".join(tips["healthcheck"]["test"])
    env = tips["environment"]
    assert env["NUTRIMAPA_TIPS_PHONE_KEY_FILE"] == "/run/secrets/tips_phone_key"
    assert env["NUTRIMAPA_TIPS_HASH_KEY_FILE"] == "/run/secrets/tips_hash_key"
    assert env["MQTT_URL"].startswith("mqtt://nutrimapa-tips:")
    for name in ("tips", "tips-consumer", "worker"):  # the weekly send (worker) decrypts phone numbers too
        assert {"tips_phone_key", "tips_hash_key"} <= set(services[name]["secrets"]), name
    assert services["tips-consumer"]["command"] == "python -m tips.cli consume"
    assert "beat" in services["beat"]["command"]
    from app.worker import TIPS_TASK, celery

    assert any(e["task"] == TIPS_TASK for e in celery.conf.beat_schedule.values())
    mounts = " ".join(services["mosquitto"]["volumes"])
    assert "./secrets/mosquitto_acl:/etc/mosquitto/nutrimapa/acl" in mounts
    assert "./mosquitto/compose.conf:" in mounts

    def settings(path: Path) -> dict[str, str]:
        lines = [x.split(None, 1) for x in path.read_text().splitlines() if x.strip() and not x.startswith("#")]
        return {k: v for k, v in lines if k != "listener"}

    assert settings(DEPLOY / "mosquitto" / "compose.conf") == settings(DEPLOY / "mosquitto" / "mosquitto.conf")

    prom = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    job = next(j for j in prom["scrape_configs"] if j["job_name"] == "nutrimapa-tips")
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == [f"tips:{port}", "tips-consumer:9541"]

    docs = list(yaml.safe_load_all((DEPLOY / "k8s" / "tips.yaml").read_text()))
    deploy = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "nutrimapa-tips")
    pod = deploy["spec"]["template"]
    container = pod["spec"]["containers"][0]
    assert f"0.0.0.0:{port}" in container["command"]
    assert "tips/gunicorn_conf.py" in container["command"]
    assert container["ports"][0]["containerPort"] == port
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(port)
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["httpGet"] == {"path": "/v1/health", "port": "http"}
    service = next(d for d in docs if d["kind"] == "Service")
    assert service["spec"]["ports"][0]["port"] == port
    assert any(d["metadata"]["name"] == "nutrimapa-tips-consumer" for d in docs)


def test_tips_gunicorn_config_sets_up_its_own_multiprocess_metrics():
    text = (ROOT / "tips" / "gunicorn_conf.py").read_text()
    assert "def child_exit" in text
    assert "mark_process_dead" in text
    assert "NUTRIMAPA_TIPS_METRICS_DIR" in text or "tips_metrics_dir" in text
    assert "import flask" not in text
    assert "from app.web" not in text


def test_database_counted_tips_metrics_are_not_summed_across_replicas():
    """Every tips replica serves the same totals from the database: expressions take the max across instances."""
    exprs = [t["expr"] for p in (DEPLOY / "grafana" / "dashboards").glob("*.json")
             for panel in json.loads(p.read_text())["panels"] for t in panel["targets"]]  # fmt: skip
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    exprs += [r["expr"] for g in rules["groups"] for r in g["rules"]]
    counted = re.compile(
        r"(max by \([a-z, ]+\) \()?rate\(nutrimapa_tips_(chosen|sent|delivered|failed|feedback|leaves)_total"
    )
    found = [m for e in exprs for m in counted.finditer(e)]
    assert found
    assert all(m.group(1) for m in found), [m.group(0) for m in found if not m.group(1)]

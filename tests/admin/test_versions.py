"""Registry: versions side by side, compare, promote and roll back atomically, tip model downloads
(SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from app.config import ROOT


@pytest.fixture
def second_version(models_dir):
    """v2 = v1 with every estimate scaled by 0.9: SYNTHETIC test data, never served outside this test."""
    v2 = models_dir / "v2"
    shutil.copytree(ROOT / "models" / "v1", v2, ignore=shutil.ignore_patterns("tips", "model.keras"))
    (v2 / "model.keras").symlink_to(ROOT / "models" / "v1" / "model.keras")
    est = pd.read_parquet(v2 / "estimates.parquet")
    for col in ("estimate", "ci_low", "ci_high"):
        est[col] = est[col] * 0.9
    est.to_parquet(v2 / "estimates.parquet", index=False)
    meta = json.loads((v2 / "metadata.json").read_text())
    meta["version"] = "v2"
    (v2 / "metadata.json").write_text(json.dumps(meta))
    return "v2"


def _estimates(client) -> dict[str, tuple]:
    rows = client.get("/api/v1/estimates?level=department&indicator=anemia").json
    return {r["ubigeo"]: (r["estimate"], r["ci_low"], r["ci_high"], r["model_version"]) for r in rows}


def test_versions_listed_with_metrics_data_and_tips(admin_client, second_version):
    listing = admin_client.get("/admin/api/models").json
    assert [v["version"] for v in listing] == ["v2", "v1"]
    v1 = listing[1]
    assert v1["active"] is True
    assert v1["metrics"]["anemia"]["keras"]["auc"] == pytest.approx(0.7136, abs=1e-4)
    assert set(v1["metrics"]["stunting"]) == {"keras", "logistic_regression", "gradient_boosting"}
    assert v1["data"]["rows"] > 12000
    assert len(v1["data"]["sha256"]) == 64
    assert v1["tips"]["bytes"] <= 20 * 1024
    assert listing[0]["tips"] is None


def test_promote_then_rollback_restores_the_old_estimates(admin_client, second_version, models_dir):
    old = _estimates(admin_client)
    assert {v[3] for v in old.values()} == {"v1"}
    response = admin_client.post("/admin/api/models/v2/promote")
    assert response.json == {"active": "v2", "previous": "v1"}
    assert (models_dir / "ACTIVE").read_text().strip() == "v2"
    new = _estimates(admin_client)
    assert {v[3] for v in new.values()} == {"v2"}
    lima_old, lima_new = old["15"][0], new["15"][0]
    assert lima_new == pytest.approx(round(lima_old / 1 * 0.9, 1), abs=0.11)

    response = admin_client.post("/admin/api/models/rollback")
    assert response.json == {"active": "v1", "previous": "v2"}
    assert _estimates(admin_client) == old
    # Nothing left to undo: v1 was never promoted through the registry.
    assert admin_client.post("/admin/api/models/rollback").status_code == 409
    actions = [e["action"] for e in admin_client.get("/admin/api/audit").json]
    assert actions[:2] == ["model_rolled_back", "model_promoted"]


def test_promote_refuses_unknown_and_incomplete_versions(admin_client, models_dir):
    (models_dir / "v3").mkdir()  # a half-written folder (no files): never servable
    for version in ("v3", "v9", "..%2Fetc"):
        response = admin_client.post(f"/admin/api/models/{version}/promote")
        assert response.status_code in (404, 405, 409), version
    assert admin_client.post("/admin/api/models/v1/promote").json["message"] == "v1 is already the active version"
    assert (models_dir / "ACTIVE").read_text().strip() == "v1"


def test_compare_two_versions(admin_client, second_version):
    result = admin_client.get("/admin/api/models/compare?a=v1&b=v2&level=district&indicator=stunting").json
    assert result["summary"]["regions"] >= 1887
    assert result["summary"]["mean_abs_diff"] > 0
    first = result["regions"][0]
    assert first["diff"] == pytest.approx(first["b"] - first["a"], abs=0.02)
    assert result["metrics"]["a"]["anemia"]["keras"]["auc"] == result["metrics"]["b"]["anemia"]["keras"]["auc"]
    bad = admin_client.get("/admin/api/models/compare?a=v1&b=v7&level=district&indicator=stunting")
    assert bad.status_code == 400
    assert "v7" in bad.json["message"]
    assert admin_client.get("/admin/api/models/compare?a=v1&b=v2&level=pais").status_code == 400


def test_tip_model_downloads(admin_client, second_version):
    with admin_client.get("/admin/api/models/v1/tips.tflite") as tflite:
        assert tflite.status_code == 200
        assert tflite.data == (ROOT / "models" / "v1" / "tips" / "tip_model.tflite").read_bytes()
        assert "nutrimapa-tips-v1.tflite" in tflite.headers["Content-Disposition"]
    with admin_client.get("/admin/api/models/v1/tips.json") as response:
        meta = response.json
    assert len(meta["categories"]) == 6
    assert meta["categories"][0]["key"] == "exclusive_breastfeeding"
    missing = admin_client.get("/admin/api/models/v2/tips.tflite")
    assert missing.status_code == 404
    assert "no tip model" in missing.json["message"]


def test_compare_the_published_versions_on_their_common_year():
    """v1 estimated 2024 only; v2 every year: the comparison is for 2024 and says so."""
    from app.admin import versions

    result = versions.compare(ROOT / "models", "v1", "v2", "department", "anemia")
    assert result["year"] == 2024
    assert result["years_in_common"] == [2024]
    assert result["summary"]["regions"] == 25
    with pytest.raises(versions.VersionError, match="2024"):
        versions.compare(ROOT / "models", "v1", "v2", "department", "anemia", 2019)


def test_a_failed_commit_leaves_models_active_unchanged(db, models_dir, second_version):
    """models/ACTIVE follows the database only once the switch is committed."""
    from app.admin import versions

    def refuse():
        raise RuntimeError("commit failed (simulated)")

    def promote_then(fail) -> None:
        with db.session() as s:
            versions.promote(s, models_dir, "v2", None)
            fail(s)

    def commit_fails(s) -> None:
        s.commit = refuse

    def later_step_fails(_s) -> None:
        raise RuntimeError("a later step of the same unit of work failed")

    with pytest.raises(RuntimeError, match="commit failed"):
        promote_then(commit_fails)
    assert (models_dir / "ACTIVE").read_text().strip() == "v1"
    with pytest.raises(RuntimeError, match="later step"):
        promote_then(later_step_fails)
    assert (models_dir / "ACTIVE").read_text().strip() == "v1"
    with db.session() as s:
        assert versions.active_version(s, models_dir) == "v1"
        versions.promote(s, models_dir, "v2", None)
        assert (models_dir / "ACTIVE").read_text().strip() == "v1"  # not before the commit
    assert (models_dir / "ACTIVE").read_text().strip() == "v2"

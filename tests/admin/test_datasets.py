"""Uploads: validation report first, accept makes the data served (in every worker), a rejected upload
changes nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

from tests.fixtures_admin import multipart, signed_in, survey_subset

RECENT = {2021, 2022, 2023, 2024}


def _post(admin_client, name: str, content: bytes):
    return admin_client.post("/admin/api/datasets", **multipart(name, content))


def test_upload_report_then_accept(admin_client, make_app, admin_settings, tmp_path):
    content = survey_subset(tmp_path / "recent.csv", RECENT)
    before = admin_client.get("/api/v1/health").json["survey"]
    response = _post(admin_client, "endes_2021_2024.csv", content)
    assert response.status_code == 201, response.json
    ds = response.json
    assert ds["status"] == "pending"
    assert ds["years"] == sorted(RECENT)
    assert ds["departments"] == 25
    assert ds["rows"] == sum(ds["report"]["rows_per_year"].values())
    lines = content.count(b"\n") - 1
    assert ds["rows"] <= lines
    if ds["rows"] < lines:  # repeated children are collapsed, and the report says so
        assert any("duplicate" in n or "repeated" in n for n in ds["report"]["notes"]), ds["report"]["notes"]
    assert set(ds["report"]) >= {"rows", "years", "departments", "missing", "notes", "rows_per_year"}
    # Pending: the served survey has not changed.
    assert admin_client.get("/api/v1/health").json["survey"] == before

    accepted = admin_client.post(f"/admin/api/datasets/{ds['id']}/accept")
    assert accepted.status_code == 200
    assert accepted.json["status"] == "active"
    now = admin_client.get("/api/v1/health").json["survey"]
    assert now["version"] == ds["table_version"] != before["version"]
    assert now["years"] == sorted(RECENT)
    # Another worker of the same deployment (its own app and store, same instance folder).
    other = make_app(admin_settings)
    assert other.server.test_client().get("/api/v1/health").json["survey"]["version"] == ds["table_version"]

    # The same bytes again: the existing dataset, not a copy.
    again = _post(admin_client, "endes_2021_2024.csv", content)
    assert again.json["id"] == ds["id"]
    actions = [e["action"] for e in admin_client.get("/admin/api/audit").json]
    assert {"dataset_uploaded", "dataset_accepted"} <= set(actions)


def test_rejected_upload_changes_nothing(admin_client, admin_settings, tmp_path):
    def damage(line, fields, header):  # test-only damage: an impossible sex code on three rows
        if line in (5, 9, 12):
            fields[header.index("HC27")] = "x"

    bad = survey_subset(tmp_path / "bad.csv", {2024}, damage)
    before = admin_client.get("/api/v1/health").json["survey"]
    response = _post(admin_client, "endes_2024_malo.csv", bad)
    assert response.status_code == 422
    problem = response.json["problems"][0]
    assert problem["file"] == "endes_2024_malo.csv"
    assert problem["column"] == "HC27"
    assert problem["rows"] == [5, 9, 12]
    assert "hombre" in problem["expected"]
    assert admin_client.get("/api/v1/health").json["survey"] == before
    assert admin_client.get("/admin/api/datasets").json == []
    leftovers = [p for p in (admin_settings.instance_dir / "datasets").rglob("*") if p.is_file()]
    assert leftovers == []
    assert admin_client.get("/admin/api/audit").json[0]["action"] == "dataset_rejected"


def test_wrong_type_empty_and_oversized_files_are_refused(admin_client, tmp_path):
    response = _post(admin_client, "notas.pdf", b"%PDF-1.4")
    assert response.status_code == 422
    assert "ending in .csv" in response.json["problems"][0]["expected"]
    assert _post(admin_client, "vacio.csv", b"").json["problems"][0]["expected"] == "a non-empty file"
    response = admin_client.post("/admin/api/datasets", data={}, content_type="multipart/form-data")
    assert response.json["problems"][0]["expected"] == "at least one survey file"


def test_size_limit(make_app, admin_settings, tmp_path):
    client = signed_in(make_app(replace(admin_settings, max_upload_mb=1)))
    big = survey_subset(tmp_path / "all.csv", set(range(2015, 2025)))
    response = _post(client, "endes.csv", big)
    assert response.status_code in (413, 422)
    if response.status_code == 422:
        assert "at most 1,048,576 bytes" in response.json["problems"][0]["expected"]


def test_discard_pending_upload(admin_client, admin_settings, tmp_path):
    ds = _post(admin_client, "e.csv", survey_subset(tmp_path / "e.csv", {2024})).json
    response = admin_client.post(f"/admin/api/datasets/{ds['id']}/discard")
    assert response.status_code == 200
    assert response.json["status"] == "discarded"
    assert not any(p.is_file() for p in (admin_settings.instance_dir / "datasets").rglob("*"))
    again = admin_client.post(f"/admin/api/datasets/{ds['id']}/accept")
    assert again.status_code == 409
    assert "discarded" in again.json["message"]
    assert admin_client.post("/admin/api/datasets/999/accept").status_code == 409

"""Uploads: exact byte counts in the size message, a JSON 413 on the admin API, streamed to disk in chunks."""

from __future__ import annotations

import io
import tracemalloc
from dataclasses import replace

from tests.fixtures_admin import multipart, signed_in


def _post(client, name: str, content: bytes):
    return client.post("/admin/api/datasets", **multipart(name, content))


def test_size_message_gives_exact_bytes_and_the_upload_is_streamed(make_app, admin_settings):
    """24 MiB + 1 byte against a 24 MiB limit: the message cannot contradict itself, and memory stays flat."""
    limit = 24 * 2**20
    client = signed_in(make_app(replace(admin_settings, max_upload_mb=24)))
    request = multipart("endes.csv", b"x" * (limit + 1))
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        response = client.post("/admin/api/datasets", **request)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 422
    problem = response.json["problems"][0]
    assert problem["expected"] == "at most 25,165,824 bytes (24 MiB)"
    assert problem["found"] == "25,165,825 bytes"
    # Reading the file whole (the old f.read()) allocated its 24 MiB at once; chunks keep the peak small.
    assert peak < 8 * 2**20, f"peak Python allocation {peak / 2**20:.1f} MiB"
    leftovers = [p for p in (admin_settings.instance_dir / "datasets").rglob("*") if p.is_file()]
    assert leftovers == []


def test_too_large_request_is_json_413_on_the_admin_api(make_app, admin_settings):
    client = signed_in(make_app(replace(admin_settings, max_upload_mb=1)))
    response = _post(client, "endes.csv", b"x" * (4 * 2**20))  # past MAX_CONTENT_LENGTH (1 MiB base64 + slack)
    assert response.status_code == 413
    assert response.content_type == "application/json"
    assert response.json["error"] == "request_entity_too_large"
    assert response.json["message"]


def test_receive_hashes_while_copying(tmp_path):
    import hashlib

    from app.admin.datasets import CHUNK_BYTES, receive

    content = bytes(range(256)) * (CHUNK_BYTES // 100)
    up = receive("a.csv", io.BytesIO(content), tmp_path, len(content))
    assert up.size == len(content)
    assert up.sha256 == hashlib.sha256(content).hexdigest()
    assert up.path.read_bytes() == content


def test_upload_without_usable_hemoglobin_is_refused(admin_client, tmp_path):
    """HC53 = 999 (the missing code) in every row: 201 before; now 422 naming HC53 and the share."""
    from tests.fixtures_admin import survey_subset

    def no_hb(_line, fields, header):  # test data: hemoglobin not measured anywhere
        fields[header.index("HC53")] = "999"

    content = survey_subset(tmp_path / "sin_hb.csv", {2024}, no_hb)
    response = _post(admin_client, "sin_hb.csv", content)
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    problem = response.json["problems"][0]
    assert problem["column"] == "HC53"
    assert problem["found"].startswith("missing in 100.0% of rows")
    assert admin_client.get("/admin/api/datasets").json == []


def test_spanish_excel_upload_is_read_and_the_report_says_so(admin_client, tmp_path):
    import pandas as pd

    from tests.fixtures_admin import survey_subset

    plain = tmp_path / "e.csv"
    survey_subset(plain, {2024})
    spanish = tmp_path / "e_es.csv"
    pd.read_csv(plain, dtype={"HHID": str}).to_csv(spanish, sep=";", decimal=",", index=False)
    response = _post(admin_client, "e_es.csv", spanish.read_bytes())
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    report = response.json["report"]
    assert any("decimal commas" in n for n in report["notes"])
    assert report["missing_share"]["upload"]["height_cm"] < 0.5


def test_dash_page_upload_goes_through_the_same_staging(admin_client, admin_settings, tmp_path):
    """The admin page's upload (base64 in a Dash callback) is written to disk and staged like an API upload."""
    import base64

    from tests.fixtures_admin import survey_subset

    content = survey_subset(tmp_path / "e.csv", {2024})
    outputs = [
        {"id": "admin-upload-result", "property": "children"},
        {"id": "admin-pending-dataset", "property": "data"},
        {"id": "admin-accept", "property": "disabled"},
        {"id": "admin-discard", "property": "disabled"},
    ]
    body = {
        "output": "..{}..".format("...".join(f"{o['id']}.{o['property']}" for o in outputs)),
        "outputs": outputs,
        "inputs": [
            {
                "id": "admin-upload",
                "property": "contents",
                "value": ["data:text/csv;base64," + base64.b64encode(content).decode()],
            }
        ],
        "state": [{"id": "admin-upload", "property": "filename", "value": ["endes_2024.csv"]}],
        "changedPropIds": ["admin-upload.contents"],
    }
    response = admin_client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    pending = response.json["response"]["admin-pending-dataset"]["data"]
    datasets = admin_client.get("/admin/api/datasets").json
    assert [d["id"] for d in datasets] == [pending]
    assert datasets[0]["files"] == ["endes_2024.csv"]
    leftovers = [p.name for p in (admin_settings.instance_dir / "datasets").rglob("*") if p.is_file()]
    assert leftovers == ["endes_2024.csv"]  # staged under the dataset's folder, nothing else left behind

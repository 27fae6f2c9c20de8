"""TensorFlow must never load in a web worker (it can hang forked gunicorn workers)."""

from __future__ import annotations

import subprocess
import sys

from app.config import ROOT


def test_serving_every_route_imports_no_tensorflow():
    code = (
        "import sys\n"
        "from app import create_app\n"
        "c = create_app().server.test_client()\n"
        "for u in ['/', '/api/v1/estimates?level=district', '/api/v1/explanations/210101',\n"
        "          '/api/v1/indicators', '/api/v1/regions?level=district']:\n"
        "    assert c.get(u).status_code == 200, u\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'shap', 'sklearn') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"

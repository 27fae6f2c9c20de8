"""Shared fixtures: real bundled data, a tiny app per test module, Dash globals reset."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from app.config import BUNDLED_SURVEY, ROOT, Settings

ARTIFACTS = ROOT / "tests" / "artifacts"
pytest_plugins = ("tests.fixtures_admin",)  # admin database, users and clients (tests/admin, tests/browser)


def _reset_dash_globals() -> None:
    import dash._callback as cb
    import dash._pages as pages

    pages.PAGE_REGISTRY.clear()
    cb.GLOBAL_CALLBACK_LIST.clear()
    cb.GLOBAL_CALLBACK_MAP.clear()
    cb.GLOBAL_INLINE_SCRIPTS.clear()


@pytest.fixture(scope="session")
def regions():
    from app.data.geo import load_regions

    return load_regions(ROOT / "geodata")


@pytest.fixture(scope="session")
def endes_data():
    from app.data.endes import read_endes

    return read_endes([BUNDLED_SURVEY])


@pytest.fixture(scope="session")
def survey(endes_data):
    from app.indicators.nutrition import add_indicators

    return add_indicators(endes_data.table)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return replace(Settings(), instance_dir=tmp_path / "instance", testing=True, secret_key="test")


@pytest.fixture
def app(settings):
    from app import create_app

    _reset_dash_globals()
    dash_app = create_app(settings)
    yield dash_app
    _reset_dash_globals()


@pytest.fixture
def client(app):
    return app.server.test_client()


def services_required() -> bool:
    """CI sets REQUIRE_SERVICES=1 so service tests fail instead of skipping."""
    return os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS

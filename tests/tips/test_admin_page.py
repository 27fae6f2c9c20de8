"""The admin tips page (Dash app): counts by district, channel, week and category; no personal data."""

from __future__ import annotations

from datetime import date

import pytest
from flask_login import login_user
from sqlalchemy import select, update

from app.db.models import TipSend, TipSubscriber, User
from tips import subscribers
from tips.bank import load_bank
from tips.model import TipModel
from tips.privacy import PhoneVault
from tips.weekly import choose_week


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_tips_page_shows_counts_and_no_personal_data(admin_app, admin_settings, db):
    from dash import page_registry

    from app.config import ROOT

    model = TipModel.load(ROOT / "models" / "v1")
    bank = load_bank(categories=model.categories)
    vault = PhoneVault.from_settings(admin_settings)
    with db.session() as s:
        for k in range(6):
            form = subscribers.Enrolment(f"+51 91{k} 222 333", "080101", 2025, 5, "f", "es", "sms")
            subscribers.enrol(s, vault, model, bank.offered, form, date(2026, 12, 1))
        form = subscribers.Enrolment("+51 944 555 666", "150101", 2026, 2, "m", "en", "app")
        subscribers.enrol(s, vault, model, bank.offered, form, date(2026, 12, 1))
    with db.session() as s:
        choose_week(s, model, bank, date(2026, 12, 2))
    with db.session() as s:  # as the publisher and a gateway would (test_delivery.py does it for real)
        s.execute(update(TipSend).values(status="sent"))
        s.execute(update(TipSend).where(TipSend.channel == "sms").values(receipt="delivered"))
    with db.session() as s:
        subscribers.inbound(s, vault, "+51910222333", "1")
        subscribers.inbound(s, vault, "+51911222333", "BAJA")
        user = s.scalar(select(User).where(User.username == "ana"))
        send = s.scalar(select(TipSend).where(TipSend.feedback == 1))
        category = send.category

    from tips import stats

    with db.session() as s:
        weeks = stats.by_week_category(s)
        districts = stats.by_district(s)
    assert sum(w["leaves"] for w in weeks) == 1  # the BAJA counts against the category of the last tip
    assert sum(w["useful"] for w in weeks) == 1
    assert {d["ubigeo"]: d["delivered"] for d in districts} == {"080101": 6, "150101": 0}
    assert {d["ubigeo"]: d["leaves"] for d in districts} == {"080101": 1, "150101": 0}

    layout = next(p["layout"] for p in page_registry.values() if p["path"] == "/admin/consejos")
    with admin_app.server.test_request_context("/admin/consejos"):
        login_user(user)
        page = str(layout())
    assert "Consejos semanales" in page
    assert "Inscritos activos: 6 · se dieron de baja: 1" in page
    assert "Cusco (080101)" in page
    assert "<5" in page  # Lima's single app subscriber, and Cusco's one leaver
    assert "2026-W49" in page
    assert "Envíos: 0 pendientes" in page
    assert "7 enviados" in page
    assert "100 %" in page  # delivery rate (receipts, and the app tip counts once sent) and useful rate
    assert "Entrega y respuestas por distrito" in page
    assert "Alimentos ricos en hierro" in page or category != "iron_rich_foods"
    with db.session() as s:
        public_ids = list(s.scalars(select(TipSubscriber.public_id)))
    for secret in ("222 333", "222333", "944", "2025-05", *public_ids):
        assert secret not in page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_tips_page_needs_a_signed_in_admin(admin_app):
    from dash import page_registry

    layout = next(p["layout"] for p in page_registry.values() if p["path"] == "/admin/consejos")
    with admin_app.server.test_request_context("/admin/consejos"):
        assert "login?next=/admin/consejos" in str(layout())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_ab_section_verdict_and_one_click_promotion(admin_app, admin_settings, db):
    from dash import page_registry

    from app.admin.accounts import recent_audit
    from app.config import ROOT
    from app.pages import admin_tips
    from tips import ab
    from training import registry

    models_dir = admin_settings.models_dir
    (models_dir / "v2").symlink_to(ROOT / "models" / "v1", target_is_directory=True)
    model = TipModel.load(ROOT / "models" / "v1")
    bank = load_bank(categories=model.categories)
    vault = PhoneVault.from_settings(admin_settings)
    with db.session() as s:
        for k in range(100):  # synthetic caregivers
            form = subscribers.Enrolment(f"+51 96{k:02d} 11 222", "030101", 2025, 3, "f", "es", "sms")
            subscribers.enrol(s, vault, model, bank.offered, form, date(2026, 12, 1))
        ab.start(s, models_dir, "v1", "v2", 0.5)
    with db.session() as s:
        choose_week(s, model, bank, date(2026, 12, 2), ab_key=vault.hash_key, models_dir=models_dir)
        s.flush()
        s.execute(update(TipSend).values(status="sent"))
        s.execute(update(TipSend).where(TipSend.arm == "b").values(feedback=1))
        s.execute(update(TipSend).where(TipSend.arm == "a", TipSend.id % 3 == 0).values(feedback=1))
        s.execute(update(TipSend).where(TipSend.arm == "a", TipSend.id % 3 != 0).values(feedback=2))
        user = s.scalar(select(User).where(User.username == "ana"))

    layout = next(p["layout"] for p in page_registry.values() if p["path"] == "/admin/consejos")
    with admin_app.server.test_request_context("/admin/consejos"):
        login_user(user)
        page = str(layout())
        assert "Las familias encuentran más útiles los consejos de v2" in page
        assert "Promover v2 y terminar la prueba" in page
        message = admin_tips.promote_winner(1, "v2")
    assert "v1 → v2" in str(message)
    assert registry.active_version(models_dir) == "v2"
    with db.session() as s:
        assert ab.active(s) is None
        assert recent_audit(s, 5)[0]["action"] == "model_promoted"

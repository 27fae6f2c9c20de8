"""Accounts and the create-admin command (hashes only, clear refusals that change nothing)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.admin.accounts import AccountError, authenticate, create_user
from app.db.models import User


def test_passwords_are_stored_hashed(db):
    with db.session() as s:
        create_user(s, "Luz", "a-long-enough-password")
    with db.session() as s:
        user = s.scalar(select(User))
        assert user.username == "luz"
        assert "a-long-enough-password" not in user.password_hash
        assert user.password_hash.startswith("scrypt:")
        assert authenticate(s, "LUZ", "a-long-enough-password") is not None
        assert authenticate(s, "luz", "wrong-password-xx") is None


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("ab", "a-long-enough-password", "username"),
        ("ok-name", "short", "at least 12"),
        ("bad name", "x" * 20, "lower-case"),
    ],
)
def test_bad_accounts_are_refused(db, username, password, message):
    with pytest.raises(AccountError, match=message), db.session() as s:
        create_user(s, username, password)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 0


def test_cli_create_admin(admin_settings, db, monkeypatch, capsys):
    from app import cli

    for key, value in admin_settings.to_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-password\n"))
    assert cli.main(["create-admin", "rosa", "--password-stdin"]) == 0
    assert "created" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("another-long-password\n"))
    assert cli.main(["create-admin", "rosa", "--password-stdin"]) == 2
    assert "exists" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("another-long-password\n"))
    assert cli.main(["create-admin", "rosa", "--password-stdin", "--reset"]) == 0
    with db.session() as s:
        assert authenticate(s, "rosa", "another-long-password") is not None
    assert cli.main(["db", "current"]) == 0
    assert db.head_revision() in capsys.readouterr().out

"""Admin command line: ``python -m app.cli db upgrade``, ``create-admin USERNAME`` and ``model promote vN``.

The password is asked twice at a prompt (never echoed), or read from standard
input with ``--password-stdin`` for scripts. Uses ``DATABASE_URL`` when set,
else the SQLite file in the instance folder.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

from app.config import Settings
from app.db import Database


def _read_password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (12+ characters): ")
    if first != getpass.getpass("Repeat password: "):
        raise SystemExit("passwords differ; nothing was changed")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.cli", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    db_cmd = sub.add_parser("db", help="database schema (Alembic migrations)")
    db_cmd.add_argument("action", choices=["upgrade", "current", "downgrade"])
    db_cmd.add_argument("revision", nargs="?", default=None, help="target revision (default: head; downgrade: -1)")
    admin = sub.add_parser("create-admin", help="create an admin account (or --reset its password)")
    admin.add_argument("username")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    admin.add_argument("--reset", action="store_true", help="set a new password for an existing account")
    model = sub.add_parser("model", help="the served model version (recorded in the database, audited)")
    model.add_argument("action", choices=["active", "promote", "rollback"])
    model.add_argument("version", nargs="?", help="the version to promote (e.g. v2)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    db = Database.from_settings(Settings.from_env())
    try:
        if args.command == "db":
            if args.action == "upgrade":
                db.upgrade(args.revision or "head")
            elif args.action == "downgrade":
                db.downgrade(args.revision or "-1")
            sys.stdout.write(
                f"database {db.engine.url.render_as_string(hide_password=True)}: {db.current_revision()}\n"
            )
            return 0
        from app.admin.accounts import AccountError, create_user

        if not db.is_current():
            sys.stderr.write("the database schema is not up to date: run `python -m app.cli db upgrade` first\n")
            return 2
        if args.command == "model":
            return _model(db, Settings.from_env(), args.action, args.version)
        password = _read_password(args.password_stdin)
        try:
            with db.session() as s:
                user = create_user(s, args.username, password, reset=args.reset)
                name = user.username
        except AccountError as exc:
            sys.stderr.write(f"error: {exc}; nothing was changed\n")
            return 2
        sys.stdout.write(f"admin {name!r} {'updated' if args.reset else 'created'}\n")
        return 0
    finally:
        db.dispose()


def _model(db: Database, settings: Settings, action: str, version: str | None) -> int:
    """Show, promote or roll back the served version from a shell (works with models/ read-only)."""
    from app.admin import versions

    who = f"cli:{getpass.getuser()}"  # the audit log names the shell account
    with db.session() as s:
        if action == "active":
            sys.stdout.write(f"{versions.active_version(s, settings.models_dir)}\n")
            return 0
        try:
            if action == "promote":
                if not version:
                    sys.stderr.write("error: name the version to promote (e.g. v2)\n")
                    return 2
                act = versions.promote(s, settings.models_dir, version, None, username=who)
            else:
                act = versions.rollback(s, settings.models_dir, None, username=who)
        except versions.VersionError as exc:
            sys.stderr.write(f"error: {exc}; nothing was changed\n")
            return 2
    sys.stdout.write(f"model {act.previous} -> {act.version} (every worker serves it within a second)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Admin command line: ``python -m app.cli db upgrade`` and ``python -m app.cli create-admin USERNAME``.

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


if __name__ == "__main__":
    raise SystemExit(main())

"""``farm server [ACTION]``: serve (default; use gunicorn in production, docs/deployment.md),
``migrate`` the registry, ``maintain`` retention, backfill ``rollups``, compute ``daily`` values,
``user-add`` a person (password from $RUONGSO_NEW_PASSWORD or asked)."""

from __future__ import annotations

import argparse
import getpass
import os
from datetime import date, timedelta
from pathlib import Path

from cli.args import port_number

ACTIONS = ("run", "migrate", "maintain", "rollups", "daily", "user-add")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("server", help="run the server (API, ingestion, web app) or a server job")
    p.add_argument("action", nargs="?", default="run", choices=ACTIONS)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=port_number, default=8000)
    p.add_argument("--data-dir", type=Path, default=None, help="default: $RUONGSO_DATA_DIR or ./var")
    p.add_argument(
        "--tsdb", default=None, help="'embedded' or influx://HOST:PORT/DB (default $RUONGSO_TSDB_URL)"
    )
    p.add_argument("--days", type=int, default=2, help="rollups/daily: how many past days")
    p.add_argument("--phone", help="user-add: Vietnamese mobile number")
    p.add_argument("--name", help="user-add: display name")
    p.add_argument("--role", help="user-add: farmer, officer, technician, manager or admin")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ruongso.app import create_app
    from server.config import Settings

    overrides = {"tsdb_url": args.tsdb} if args.tsdb else {}
    settings = Settings.from_env(data_dir=args.data_dir, **overrides)
    if args.action == "migrate":
        from server.db import Database

        Database(settings.database_url).upgrade()
        print("registry schema at head")
        return 0
    app = create_app(settings)
    svc = app.extensions["ruongso"]
    if args.action == "run":
        from werkzeug.serving import run_simple

        print(f"Ruộng Số server on http://{args.host}:{args.port}/", flush=True)
        run_simple(args.host, args.port, app, threaded=True, use_reloader=False)
        return 0
    from server import jobs

    if args.action == "maintain":
        jobs.maintain(svc)
    elif args.action == "rollups":
        jobs.backfill(svc, args.days)
    elif args.action == "daily":
        today = date.today()
        print(f"{jobs.daily_range(svc, today - timedelta(days=args.days), today)} daily values stored")
    else:
        return _user_add(svc, args)
    return 0


def _user_add(svc: object, args: argparse.Namespace) -> int:
    from server.auth.models import User
    from server.auth.passwords import hash_password, normalise_phone
    from server.auth.roles import Role

    phone = normalise_phone(args.phone or "")
    if phone is None or not args.name or args.role not in {r.value for r in Role}:
        print("user-add needs --phone (VN mobile), --name and --role")
        return 2
    password = os.environ.get("RUONGSO_NEW_PASSWORD") or getpass.getpass("password: ")
    with svc.db.session() as session:  # type: ignore[attr-defined]
        session.add(User(phone=phone, name=args.name, role=args.role, password_hash=hash_password(password)))
    print(f"added {args.role} {phone}")
    return 0

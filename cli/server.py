"""``farm server [ACTION]``: serve (default; use gunicorn in production, docs/deployment.md),
``migrate`` the registry, ``maintain`` retention, backfill ``rollups``, compute ``daily`` values,
``user-add`` a person (password from $RUONGSO_NEW_PASSWORD or asked).

It lives with the entry points, not in ``server/``: it builds the whole app through the composition
root (``ruongso.app``), which the server's domain packages must never import.
"""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cli.args import bounded_int, port_number
from cli.errors import UsageError

ACTIONS = ("run", "migrate", "maintain", "rollups", "daily", "notify", "recheck", "user-add")
ROLES = "farmer, officer, technician, manager, admin"  # server.auth.roles.Role; a test keeps them equal
USER_OPTIONS = ("phone", "name", "role")


def _tsdb_url(text: str) -> str:
    """argparse type: ``embedded`` or ``influx://HOST:PORT/DB``."""
    parts = urlsplit(text)
    if text != "embedded" and not (
        parts.scheme == "influx" and parts.hostname and parts.path.strip("/") and _has_port(parts.netloc)
    ):
        raise argparse.ArgumentTypeError(f"expected 'embedded' or influx://HOST:PORT/DB, got {text!r}")
    return text


def _has_port(netloc: str) -> bool:
    _, sep, port = netloc.rpartition(":")
    return bool(sep) and port.isdigit() and 0 < int(port) < 65536


def _phone(text: str) -> str:
    """argparse type: a Vietnamese mobile number, returned in E.164 (+84...)."""
    from server.auth.passwords import normalise_phone

    phone = normalise_phone(text)
    if phone is None:
        raise argparse.ArgumentTypeError(f"expected a Vietnamese mobile number like 0912000001, got {text!r}")
    return phone


def _name(text: str) -> str:
    """argparse type: a display name, 1-120 characters."""
    if not text.strip() or len(text) > 120:
        raise argparse.ArgumentTypeError("expected a display name of 1-120 characters")
    return text.strip()


def _role(text: str) -> str:
    """argparse type: one of the roles of ``server.auth.roles.Role``."""
    from server.auth.roles import Role

    if text not in {r.value for r in Role}:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(r.value for r in Role)}, got {text!r}")
    return text


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``farm server``."""
    p = sub.add_parser(
        "server",
        help="run the server (API, ingestion, web app) or a server job",
        description="Serve the API, ingestion and web app (the default action; in production use "
        "gunicorn, docs/deployment.md) or run one server job.",
    )
    p.add_argument(
        "action",
        nargs="?",
        default="run",
        choices=ACTIONS,
        help="run: serve the API and web app; migrate: registry schema to head; maintain: retention; "
        "rollups: rebuild rollups; daily: ET0, rain, GDD, leaf-wet hours and crop water use per field; "
        "notify: send the alerts (SMS, Zalo, push) that are due, once; "
        "recheck: re-judge open lots when a new pesticide list came into force; "
        "user-add: add a person",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (run)")
    p.add_argument("--port", type=port_number, default=8000, help="port to listen on (run)")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="registry, time series and photos (default: $RUONGSO_DATA_DIR or ./var)",
    )
    p.add_argument(
        "--tsdb",
        type=_tsdb_url,
        default=None,
        help="time-series store: embedded or influx://HOST:PORT/DB (default: $RUONGSO_TSDB_URL or embedded)",
    )
    p.add_argument(
        "--days",
        type=bounded_int(1, 3660),
        default=2,
        help="rollups/daily: how many past days to (re)compute",
    )
    p.add_argument("--phone", type=_phone, help="user-add: Vietnamese mobile number (required there)")
    p.add_argument("--name", type=_name, help="user-add: display name (required there)")
    p.add_argument("--role", type=_role, help=f"user-add: one of {ROLES} (required there)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    password = ""
    if args.action == "user-add":
        _check_user_options(args)
        password = _password()  # before any database work: a refused password leaves nothing behind
    else:
        given = [f"--{o}" for o in USER_OPTIONS if getattr(args, o) is not None]
        if given:
            raise UsageError(f"{', '.join(given)} only go with the user-add action")
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
        print(f"{jobs.daily_recent(svc, args.days)} daily values stored")  # Vietnam's days, not the host's
    elif args.action == "notify":
        from server.notify import worker

        done = worker.drain(svc)
        print(", ".join(f"{n} {state}" for state, n in sorted(done.items())) or "nothing due")
    elif args.action == "recheck":
        print(_recheck(svc))
    else:
        return _user_add(svc, args, password)
    return 0


def _recheck(svc: Any) -> str:
    """Re-judge the open lots under the pesticide list in force today; one line for the operator."""
    from server.farm import locks

    with svc.db.session() as db:  # commits on leaving
        done = locks.recheck_open_lots(db)
    if not done.ran or done.open_from is None:
        return f"lots already checked under {done.act} (catalogue {done.catalogue_version})"
    refused = ", ".join(str(i) for i in done.newly_refused) or "none"
    return (
        f"{len(done.checked)} open lots (harvested from {done.open_from.isoformat()}) "
        f"judged under {done.act} (catalogue {done.catalogue_version}); newly refused: {refused}"
    )


def _check_user_options(args: argparse.Namespace) -> None:
    missing = [f"--{o}" for o in USER_OPTIONS if getattr(args, o) is None]
    if missing:
        raise UsageError(f"user-add needs {', '.join(missing)}")


def _password() -> str:
    from server.auth.passwords import MIN_PASSWORD_LEN

    password = os.environ.get("RUONGSO_NEW_PASSWORD") or getpass.getpass("password: ")
    if len(password) < MIN_PASSWORD_LEN:
        raise UsageError(f"the password must have at least {MIN_PASSWORD_LEN} characters")
    return password


def _user_add(svc: Any, args: argparse.Namespace, password: str) -> int:
    from sqlalchemy import select

    from server.auth.models import User
    from server.auth.passwords import hash_password

    with svc.db.session() as session:
        if session.scalar(select(User.id).where(User.phone == args.phone)) is not None:
            raise UsageError(f"a user with phone {args.phone} already exists")
        session.add(
            User(phone=args.phone, name=args.name, role=args.role, password_hash=hash_password(password))
        )
    print(f"added {args.role} {args.phone}")
    return 0

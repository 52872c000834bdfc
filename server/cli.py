"""``farm server``: serve the API and web app (use gunicorn in production, docs/deployment.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.args import port_number


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("server", help="run the server (API, ingestion, web app)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=port_number, default=8000)
    p.add_argument("--data-dir", type=Path, default=None, help="default: $RUONGSO_DATA_DIR or ./var")
    p.add_argument(
        "--tsdb", default=None, help="'embedded' or influx://HOST:PORT/DB (default $RUONGSO_TSDB_URL)"
    )
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    from server.app import create_app
    from server.config import Settings

    overrides = {"tsdb_url": args.tsdb} if args.tsdb else {}
    app = create_app(Settings.from_env(data_dir=args.data_dir, **overrides))
    print(f"Ruộng Số server on http://{args.host}:{args.port}/", flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)
    return 0

"""``farm officer``: what a deployment sets up for the officers' map.

``farm officer import-boundaries FILE`` checks a commune-boundary GeoJSON
(``server.officer.boundaries``) and installs it in the data directory, where the map reads it; a bad
file ends with one line naming what is wrong (exit 2) and leaves the installed layer as it was.
``farm officer agreement --out FILE`` writes the officer/model agreement per class over the whole
deployment (``server.officer.agreement``, the JSON ``/api/v1/officer/agreement`` serves) for the
model card.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from server.config import Settings
from server.db import Database
from server.farm import review
from server.officer import agreement, boundaries


def _import(args: argparse.Namespace) -> int:
    data_dir = Settings.from_env(data_dir=args.data_dir).data_dir
    doc = boundaries.install(args.file, data_dir)
    target = boundaries.installed_path(data_dir)
    print(
        f"{len(doc['features'])} communes installed in {target} "
        f"(source: {doc['source']}; licence: {doc['licence']})"
    )
    return 0


def _agreement(args: argparse.Namespace) -> int:
    settings = Settings.from_env(data_dir=args.data_dir)
    with Database(settings.database_url).session() as db:
        rows = agreement.for_diagnoses(db, None)
    rate = review.sample_rate(
        settings.extra.get("review_sample_rate") or os.environ.get("RUONGSO_REVIEW_SAMPLE_RATE")
    )
    text = json.dumps(agreement.document(rows, rate, int(time.time())), ensure_ascii=False, indent=1) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"{len(rows)} classes written to {args.out}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``officer`` command and its sub-commands to the project CLI."""
    officer = subparsers.add_parser(
        "officer",
        help="extension officers: commune boundaries for the offline map, model agreement for the model card",
        description="Data a deployment supplies for the extension officers' pages, and what their "
        "reviews give back.",
    )
    sub = officer.add_subparsers(dest="officer_command", metavar="{import-boundaries,agreement}")
    sub.required = True
    p = sub.add_parser(
        "import-boundaries",
        help="check and install the communes' boundary GeoJSON the map draws offline",
        description="Check a GeoJSON FeatureCollection of commune polygons (properties.name, optional "
        "properties.code; top-level source and licence; WGS 84 longitude/latitude) and install it in the "
        "data directory. See server/officer/data/README.md.",
    )
    p.add_argument("file", type=Path, help="the GeoJSON file to import")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the server's data directory (default: $RUONGSO_DATA_DIR or ./var)",
    )
    p.set_defaults(func=_import)
    a = sub.add_parser(
        "agreement",
        help="officer/model agreement per class, as JSON for the model card",
        description="How often officers upheld the model's answer, per classifier class, over every "
        "review decision of this deployment (the audit sample of confident answers counted apart).",
    )
    a.add_argument("--out", type=Path, default=None, help="write the JSON here (default: standard output)")
    a.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the server's data directory (default: $RUONGSO_DATA_DIR or ./var)",
    )
    a.set_defaults(func=_agreement)

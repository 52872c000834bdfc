"""Command line: ``farm vision train`` and ``farm diagnose PHOTO...``.

The lead's ``cli/main.py`` calls :func:`register`; ``python -m vision.cli`` works
standalone too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

TRAIN_HINT = (
    "TensorFlow is not installed in this environment; it is only needed for training.\n"
    "Install the training extra in a separate venv, e.g.:\n"
    "  python3 -m venv .venv-train && .venv-train/bin/pip install -r requirements-train.txt\n"
    "  .venv-train/bin/python -m vision.cli vision train"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``vision`` (with ``train``) and ``diagnose`` subcommands."""
    from vision.train.run import add_arguments

    pv = subparsers.add_parser("vision", help="crop-disease photo model")
    vsub = pv.add_subparsers(dest="vision_command", required=True)
    pt = vsub.add_parser("train", help="train, quantise, calibrate and evaluate the model (needs TensorFlow)")
    add_arguments(pt)
    pt.set_defaults(func=cmd_train)

    pd = subparsers.add_parser("diagnose", help="diagnose leaf photos")
    pd.add_argument("photos", nargs="+", type=Path, metavar="PHOTO", help="leaf photo, JPEG or PNG")
    pd.add_argument(
        "--crop",
        default=None,
        help="crop shown (corn, grape, potato, rice, tomato) to narrow the answer (default: none, any crop)",
    )
    pd.add_argument("--json", action="store_true", help="one JSON object per photo per line")
    pd.add_argument(
        "--plant", action="store_true", help="also combine all photos into one plant-level answer"
    )
    pd.add_argument(
        "--model-dir",
        type=model_folder,
        default=None,
        help="folder with the int8 model, labels and calibration (default: the shipped model, vision/model)",
    )
    pd.set_defaults(func=cmd_diagnose)


def model_folder(text: str) -> Path:
    """A folder that holds a model (checked when parsed: a wrong path is one line, not a traceback)."""
    from vision.diagnose import MODEL_FILE

    folder = Path(text)
    if not (folder / MODEL_FILE).is_file():
        raise argparse.ArgumentTypeError(f"no {MODEL_FILE} in {folder}")
    return folder


def cmd_train(args: argparse.Namespace) -> int:
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        print(TRAIN_HINT, file=sys.stderr)
        return 2
    from vision.train.run import run

    return run(args)


def cmd_diagnose(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from vision.diagnose import Diagnoser, Diagnosis, combine
    from vision.preprocess import ImageError

    out = out or sys.stdout
    dx = Diagnoser.load(args.model_dir)
    failures = 0
    done: list[Diagnosis] = []
    for photo in args.photos:
        try:
            data = Path(photo).read_bytes()
            d = dx.diagnose(data, crop=args.crop)
        except (OSError, ImageError) as exc:
            failures += 1
            code = exc.code if isinstance(exc, ImageError) else "unreadable"
            msg = str(exc) if isinstance(exc, ImageError) else f"{type(exc).__name__}: {exc.strerror or exc}"
            if args.json:
                print(
                    json.dumps({"photo": str(photo), "error": code, "message": msg}, ensure_ascii=False),
                    file=out,
                )
            else:
                print(f"{photo}: ERROR {code}: {msg}", file=out)
            continue
        done.append(d)
        if args.json:
            print(json.dumps({"photo": str(photo), **d.to_dict()}, ensure_ascii=False), file=out)
        else:
            if d.label:
                head = f"{d.label} ({d.confidence:.0%})"
            elif d.top3:
                head = f"— (best guess {d.top3[0].label} {d.top3[0].confidence:.0%})"
            else:
                head = "—"
            print(f"{photo}: {head} [{d.reason}] {d.message_vi} / {d.message_en}", file=out)
    if args.plant:
        p = combine(done, dx.labels.names)
        if args.json:
            print(json.dumps({"plant": True, **p.to_dict()}, ensure_ascii=False), file=out)
        else:
            print(
                f"plant: {p.label or '—'} ({p.confidence:.0%}) [{p.reason}] "
                f"{p.n_used}/{p.n_photos} photos used, agreement {p.agreement:.0%}",
                file=out,
            )
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="farm")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())

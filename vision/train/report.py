"""Render the result tables of ``docs/model-card.md`` from ``model/metrics.json``.

python -m vision.train.report  > /tmp/results.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from vision import MODEL_DIR
from vision.labels import load_labels


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def render(m: dict[str, Any]) -> str:
    labels = load_labels()
    t, f, o, b = m["test"], m["field"], m["ood"], m["background_only"]
    cal = m["calibration"]
    cs = m.get("calibration_summary", {})
    out: list[str] = []
    out.append("## Results (int8 model, full runtime pipeline)\n")
    out.append("| metric | value |\n|---|---|")
    out.append(f"| Test split top-1, every photo answered (n={t['n']}) | **{pct(t['top1_int8'])}** |")
    fl = t["top1_float_preloaded"]
    fls = pct(fl) if isinstance(fl, float) else str(fl)
    out.append(f"| Float Keras model, same test images (preloaded, no TTA) | {fls} |")
    out.append(f"| Test: answered (not abstained) | {pct(t['coverage'])} |")
    out.append(f"| Test: accuracy of answered photos | {pct(t['answered_accuracy'])} |")
    out.append(f"| Test: expected calibration error (15 bins, T applied) | {t['ece_calibrated']:.3f} |")
    if cs:
        ece = f"{cs['val_ece_T1']:.3f} / {cs['val_ece_T']:.3f}"
        out.append(f"| Validation ECE before / after temperature scaling | {ece} |")
        out.append(f"| Validation NLL before / after | {cs['val_nll_T1']:.3f} / {cs['val_nll_T']:.3f} |")
    out.append(f"| Field-style set (n={f['n']}): answered | {pct(f['coverage'])} |")
    out.append(f"| Field-style set: accuracy of answered photos | **{pct(f['answered_accuracy'])}** |")
    out.append(f"| Field-style set: top-1 if forced to answer | {pct(f['top1_all'])} |")
    out.append(f"| Non-leaf photos refused (n={o['n']}) | **{pct(o['refusal_rate'])}** |")
    out.append(
        f"| Background only (leaf inpainted away), refused (n={int(b['n'])}) | {pct(b['refusal_rate'])} |"
    )
    out.append(f"| Model file | {m['model_bytes'] / 1024:.0f} KiB |")
    out.append("")
    out.append(
        f"Calibration (`calibration.json`): temperature {cal['temperature']}, abstain below "
        f"{cal['abstain_threshold']}, energy threshold {cal['energy_threshold']}, "
        f"{cal['tta_views']} views per photo.\n"
    )
    out.append("### Per-class recall on the test split (top-1, int8)\n")
    out.append("| class | Tiếng Việt | recall |\n|---|---|---|")
    for lb in labels.labels:
        out.append(f"| `{lb.name}` | {lb.vi} | {pct(t['per_class_recall'][lb.name])} |")
    out.append("\n![confusion matrix](img/vision/confusion_test.png)\n")
    out.append("### Field-style set by background and lighting\n")
    out.append("Each cell: photos / answered / answered correctly.\n")
    out.append("| background | n | answered | right |\n|---|---|---|---|")
    for k, (n, a, r) in sorted(f["by_background"].items()):
        out.append(f"| {k} | {n} | {a} | {r} |")
    out.append("\n| lighting | n | answered | right |\n|---|---|---|---|")
    for k, (n, a, r) in sorted(f["by_lighting"].items()):
        out.append(f"| {k} | {n} | {a} | {r} |")
    out.append(f"\nReasons: {', '.join(f'{k} {v}' for k, v in sorted(f['by_reason'].items()))}.\n")
    out.append("![field-style examples](img/vision/field_examples.png)\n")
    out.append("### Non-leaf photos\n")
    out.append("| kind | n | refused |\n|---|---|---|")
    for k, (n, r) in sorted(o["by_kind"].items()):
        out.append(f"| {k} | {n} | {r} |")
    out.append(f"\nReasons: {', '.join(f'{k} {v}' for k, v in sorted(o['by_reason'].items()))}.")
    if o["answered_items"]:
        items = ", ".join(f"{a['item']} → {a['label']} ({a['confidence']})" for a in o["answered_items"])
        out.append(f"\nAnswered (wrongly) for: {items}.")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    path = Path(argv[0]) if argv else MODEL_DIR / "metrics.json"
    sys.stdout.write(render(json.loads(path.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Render the result tables of ``docs/model-card.md`` from ``model/metrics.json``.

python -m vision.train.report  > /tmp/results.md

Why generated: the card's numbers must be the committed model's, not hand-copied
ones (``tests/vision/test_report.py`` checks the card contains this output).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from vision import MODEL_DIR
from vision.labels import load_labels

PART_NAMES = {
    "lab_on_real_field": "held-out lab leaves on held-out real field photos",
    "real_field": "held-out real in-field rice photos, as taken",
    "rice_lab_style": "held-out rice photos made to look like lab photos",
}


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _row(name: str, n: int, top1: float | None, f: dict[str, Any]) -> str:
    t = "–" if top1 is None else pct(top1)
    return (
        f"| {name} | {n} | {t} | {pct(f['abstention'])} | **{pct(f['answered_accuracy'])}** "
        f"| **{pct(f['confidently_wrong'])}** |"
    )


def headline(m: dict[str, Any]) -> list[str]:
    """The three figures (right of answered, abstention, confidently wrong) for every set."""
    t, fc, f = m["test"], m["field_check"], m["field"]
    out = [
        "| photo set | n | top-1 if forced | abstained | right, of answered "
        "| confidently wrong (≥ 0.9), of all |",
        "|---|---|---|---|---|---|",
        _row("Test split", t["n"], t["top1_int8"], t["no_crop"]),
        _row("Test split, crop given", t["n"], None, t["with_crop"]),
        _row("**Field check set**", fc["all"]["no_crop"]["n"], fc["all"]["top1_all"], fc["all"]["no_crop"]),
        _row("**Field check set, crop given**", fc["all"]["no_crop"]["n"], None, fc["all"]["with_crop"]),
    ]
    for part, r in fc["parts"].items():
        n = r["no_crop"]["n"]
        out.append(_row(f"… {PART_NAMES.get(part, part)}", n, r["top1_all"], r["no_crop"]))
        out.append(_row("… same, crop given", n, None, r["with_crop"]))
    out.append(
        _row("Field-style set (synthetic backgrounds)", f["no_crop"]["n"], f["top1_all"], f["no_crop"])
    )
    out.append(_row("Field-style set, crop given", f["no_crop"]["n"], None, f["with_crop"]))
    return out


def render(m: dict[str, Any]) -> str:
    labels = load_labels()
    t, fc, f, o, b = m["test"], m["field_check"], m["field"], m["ood"], m["background_only"]
    cal = m["calibration"]
    cs = m.get("calibration_summary", {})
    out: list[str] = ["## Results (int8 model, full runtime pipeline)\n"]
    out.extend(headline(m))
    out.append("")
    sc, wc = fc["shortcut"], fc["wrong_crop_given"]
    out.append("| check | value |\n|---|---|")
    fl = t["top1_float_preloaded"]
    fls = pct(fl) if isinstance(fl, float) else str(fl)
    out.append(f"| Float Keras model, test images (preloaded, one view) | {fls} |")
    out.append(f"| Test: crop of the top-1 class right | {pct(t['crop_correct'])} |")
    out.append(f"| Test: expected calibration error (15 bins, T applied) | {t['ece_calibrated']:.3f} |")
    if cs:
        ece = f"{cs['val_ece_T1']:.3f} / {cs['val_ece_T']:.3f}"
        out.append(f"| Validation ECE before / after temperature scaling | {ece} |")
    lab_rice, rice_other = sc["lab_leaf_on_field_called_rice"], sc["rice_lab_style_called_other_crop"]
    out.append(f"| Shortcut: lab leaf on a real field photo, top-1 is a rice class | {pct(lab_rice)} |")
    out.append(f"| Shortcut: rice photo in lab style, top-1 is another crop | {pct(rice_other)} |")
    out.append(
        f'| Wrong crop given (n={wc["n"]}): "does not look like <crop>" / answered anyway '
        f"| {pct(wc['crop_mismatch_share'])} / {pct(wc['coverage'])} |"
    )
    out.append(f"| Non-leaf photos refused (n={o['n']}) | **{pct(o['refusal_rate'])}** |")
    out.append(
        f"| Background only (leaf inpainted away), refused (n={int(b['n'])}) | {pct(b['refusal_rate'])} |"
    )
    out.append(f"| Model file | {m['model_bytes'] / 1024:.0f} KiB |")
    out.append("")
    out.append(
        f"Calibration (`calibration.json`): temperature {cal['temperature']}, abstain below "
        f"{cal['abstain_threshold']} ({cal.get('crop_abstain_threshold', 0.0)} with the crop given), "
        f'"does not look like <crop>" below {cal.get("crop_min_probability", 0.0)} probability on '
        f"the given crop, energy threshold {cal['energy_threshold']}, {cal['tta_views']} views per photo"
        f"{' plus the centre square of the whole photo' if cal.get('centre_view') else ''}.\n"
    )
    cmp_ = m.get("compared_model")
    if cmp_:
        out.append("### The previous model on the same photos\n")
        out.extend(headline(cmp_)[:6])
        out.append("")
    out.extend(reviewed_section(m.get("reviewed", {"used": 0, "per_class": {}})))
    out.append("### Per-class recall on the test split (top-1, int8)\n")
    out.append("| class | Tiếng Việt | recall |\n|---|---|---|")
    for lb in labels.labels:
        out.append(f"| `{lb.name}` | {lb.vi} | {pct(t['per_class_recall'][lb.name])} |")
    out.append("\n![confusion matrix](img/vision/confusion_test.png)\n")
    out.append("### Field-style set by background and lighting (no crop given)\n")
    out.append("Each cell: photos / answered / answered correctly.\n")
    out.append("| background | n | answered | right |\n|---|---|---|---|")
    for k, (n, a, r) in sorted(f["by_background"].items()):
        out.append(f"| {k} | {n} | {a} | {r} |")
    out.append("\n| lighting | n | answered | right |\n|---|---|---|---|")
    for k, (n, a, r) in sorted(f["by_lighting"].items()):
        out.append(f"| {k} | {n} | {a} | {r} |")
    reasons = f["no_crop"]["by_reason"]
    out.append(f"\nReasons: {', '.join(f'{k} {v}' for k, v in sorted(reasons.items()))}.\n")
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


def reviewed_section(rv: dict[str, Any]) -> list[str]:
    out = ["### Officer-reviewed photos in this retrain\n"]
    out.append(f"Reviewed photos used for training: **{rv.get('used', 0)}**.")
    skipped = rv.get("skipped") or {}
    if skipped:
        out.append(f"Skipped rows: {', '.join(f'{k} {v}' for k, v in sorted(skipped.items()))}.")
    per = rv.get("per_class") or {}
    if per:
        out.append("\n| officer's label | photos | model said the same | agreement |\n|---|---|---|---|")
        for name, r in sorted(per.items()):
            out.append(f"| `{name}` | {r['n']} | {r['model_agreed']} | {pct(r['agreement'])} |")
    else:
        out.append("Per-class officer/model agreement: no reviewed photos yet, so none to report.")
    out.append("")
    return out


def summary_lines(m: dict[str, Any]) -> list[str]:
    """Short plain-text summary for the end of ``farm vision train``."""
    t, fc = m["test"], m["field_check"]["all"]

    def line(name: str, f: dict[str, Any]) -> str:
        return (
            f"{name}: right {pct(f['answered_accuracy'])} of answered, abstained {pct(f['abstention'])}, "
            f"confidently wrong {pct(f['confidently_wrong'])} (n={f['n']})"
        )

    return [
        f"test split top-1 (forced) {pct(t['top1_int8'])}",
        line("test split", t["no_crop"]),
        line("test split, crop given", t["with_crop"]),
        line("field check set", fc["no_crop"]),
        line("field check set, crop given", fc["with_crop"]),
        f"officer-reviewed photos used: {m.get('reviewed', {}).get('used', 0)}",
        f"model file {m['model_bytes'] / 1024:.0f} KiB",
    ]


def main(argv: list[str] | None = None) -> int:
    path = Path(argv[0]) if argv else MODEL_DIR / "metrics.json"
    sys.stdout.write(render(json.loads(path.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""The model card's numbers are the committed metrics and calibration, not hand-copied ones."""

from __future__ import annotations

import json
from pathlib import Path

from vision import MODEL_DIR
from vision.calibration import load_calibration
from vision.train import report

CARD = Path(__file__).resolve().parents[2] / "docs" / "model-card.md"


def test_model_card_results_are_the_rendered_metrics() -> None:
    rendered = report.render(json.loads((MODEL_DIR / "metrics.json").read_text(encoding="utf-8")))
    assert rendered in CARD.read_text(encoding="utf-8"), (
        "docs/model-card.md differs from `python -m vision.train.report`: paste its output into the card"
    )


def test_model_card_pipeline_quotes_the_committed_calibration() -> None:
    card = CARD.read_text(encoding="utf-8").replace("−", "-")  # the card writes a typographic minus
    pipeline = card[card.index("## Inference pipeline") : card.index("## Results")]
    cal = load_calibration(MODEL_DIR)
    assert f"above {cal.energy_threshold} → `not_recognised`" in pipeline
    assert f"T = {cal.temperature} " in pipeline
    assert f"probability < {cal.abstain_threshold} → `low_confidence`" in pipeline
    assert f"averaged over {cal.tta_views} orientations" in pipeline
    assert f"below {cal.crop_min_probability} → `crop_mismatch`" in pipeline
    assert f"must reach {cal.crop_abstain_threshold} " in pipeline


def test_model_card_credits_the_pretrained_weights() -> None:
    card = CARD.read_text(encoding="utf-8")
    assert "Apache License 2.0" in card and "ML Illustrated" in card
    assert "LICENSE-efficientnet-lite0.txt" in card


def test_train_summary_reports_the_three_figures() -> None:
    # `farm vision train` ends with these lines: accuracy of answers, abstention and the
    # confidently-wrong share, for the test split and the field check set, with and without crop.
    m = json.loads((MODEL_DIR / "metrics.json").read_text(encoding="utf-8"))
    lines = report.summary_lines(m)
    joined = "\n".join(lines)
    assert joined.count("confidently wrong") == 4 and joined.count("abstained") == 4
    assert any(line.startswith("field check set, crop given:") for line in lines)
    assert "officer-reviewed photos used: 0" in joined

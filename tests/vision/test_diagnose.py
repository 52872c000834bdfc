from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from tests.vision import synth
from vision.diagnose import Candidate, Diagnoser, Diagnosis, combine
from vision.preprocess import ImageError, decode, model_input
from vision.quality import QualityReport


@pytest.fixture(scope="module")
def dx() -> Diagnoser:
    return Diagnoser.load()


def test_leaf_photo_gets_a_structured_answer(dx: Diagnoser) -> None:
    d = dx.diagnose(synth.jpeg(synth.leaf()))
    assert d.quality.ok
    assert d.reason in ("ok", "low_confidence", "not_recognised")
    assert 0.0 <= d.confidence <= 1.0
    assert len(d.top3) == 3 and all(c.label in dx.labels.names for c in d.top3)
    assert np.isclose(sum(d.probs), 1.0)
    if d.abstained:
        assert d.label is None
    else:
        assert d.label == d.top3[0].label
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.label = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        (synth.wall(), "no_leaf"),
        (synth.skin(), "no_leaf"),
        (cv2.GaussianBlur(synth.leaf(), (0, 0), 12), "blurry"),
        (synth.leaf(120, 90), "too_small"),
    ],
)
def test_bad_photos_are_refused_with_reason(dx: Diagnoser, image: np.ndarray, reason: str) -> None:
    d = dx.diagnose(synth.jpeg(image))
    assert d.abstained and d.label is None and d.reason == reason
    assert d.message_vi and d.message_en


def test_textures_that_pass_the_colour_gate_are_refused_by_the_model(dx: Diagnoser) -> None:
    # A green-painted wall with noise has plant-like colour but is no leaf: the OOD
    # (energy) check or the confidence rule must refuse it.
    rng = np.random.default_rng(3)
    base = np.zeros((600, 800, 3), np.float32)
    base[:] = (60, 150, 90)
    img = np.clip(base + rng.normal(0, 25, base.shape), 0, 255).astype(np.uint8)
    d = dx.diagnose(synth.jpeg(img))
    assert d.abstained


def test_unreadable_bytes_raise(dx: Diagnoser) -> None:
    with pytest.raises(ImageError):
        dx.diagnose(b"definitely not a photo")


def test_crop_hint_restricts_answer(dx: Diagnoser) -> None:
    d = dx.diagnose(synth.jpeg(synth.leaf()), crop="tomato")
    assert d.quality.ok and len(d.top3) == 3
    assert all(c.label.startswith("tomato__") for c in d.top3)
    tomato = set(dx.labels.indices_for_crop("tomato"))
    assert all(p == 0.0 for i, p in enumerate(d.probs) if i not in tomato)
    assert np.isclose(sum(d.probs), 1.0)
    u = dx.diagnose(synth.jpeg(synth.leaf()), crop="pepper")
    assert u.abstained and u.reason == "unsupported_crop"


def test_logits_average_the_orientation_views(dx: Diagnoser) -> None:
    # Calibration was fitted on logits averaged over tta_views views; the runtime must average
    # the same views, and one view must be the classifier's own answer.
    q, x = dx.prepare(decode(synth.jpeg(synth.leaf())))
    assert q.ok and dx.calibration.tta_views == 4
    views = [x, x[:, ::-1], np.rot90(x, 1), np.rot90(x, 3)]
    expected = np.mean([dx.classifier.logits(np.ascontiguousarray(v)) for v in views], axis=0)
    assert np.allclose(dx.logits(x), expected)
    one = Diagnoser(dx.classifier, dx.labels, dataclasses.replace(dx.calibration, tta_views=1))
    assert np.array_equal(one.logits(x), dx.classifier.logits(x))


def test_centre_view_joins_the_average_when_calibrated_with_it() -> None:
    # The answer must be decided on exactly the views calibration was fitted on: the leaf
    # crop's orientations plus, with centre_view, the whole photo's centre square.  A small
    # leaf off-centre in a wide frame makes the leaf crop and the centre square differ.
    base = Diagnoser.load()
    photo = np.zeros((600, 900, 3), np.uint8)
    photo[:] = (70, 90, 120)
    leaf = cv2.resize(synth.leaf(), (260, 260))
    photo[40:300, 600:860] = leaf
    dec = decode(synth.jpeg(photo))
    cal = base.calibration
    with_c = Diagnoser(base.classifier, base.labels, dataclasses.replace(cal, centre_view=True))
    without = Diagnoser(base.classifier, base.labels, dataclasses.replace(cal, centre_view=False))
    q, x = with_c.prepare(dec)
    assert q.ok
    centre = with_c.classifier.logits(model_input(dec.image, with_c.calibration.input_size))
    four = without.photo_logits(dec, x)
    assert np.allclose(without.logits(x), four)
    assert np.allclose(with_c.photo_logits(dec, x), (4 * four + centre) / 5)
    assert not np.allclose(with_c.photo_logits(dec, x), four)
    d = with_c.diagnose(synth.jpeg(photo))
    assert np.allclose(d.probs, with_c.decide(with_c.photo_logits(dec, x), q).probs)


def _dx(probs: list[float], reason: str = "ok", thr: float = 0.6) -> Diagnosis:
    q = QualityReport(reason not in ("blurry",), "ok" if reason != "blurry" else "blurry", "", "")
    p = tuple(probs)
    top = int(np.argmax(p)) if p else 0
    label = f"c{top}" if reason == "ok" else None
    return Diagnosis(
        label,
        max(p) if p else 0.0,
        reason != "ok",
        reason,
        "",
        "",
        (Candidate(f"c{top}", max(p or (0.0,))),),
        q,
        p,
        -5.0,
        thr,
    )


NAMES = ("c0", "c1", "c2")


def test_combine_agreeing_photos() -> None:
    pd = combine(
        [_dx([0.9, 0.05, 0.05]), _dx([0.7, 0.2, 0.1]), _dx([0.5, 0.4, 0.1], "low_confidence")], NAMES
    )
    assert pd.label == "c0" and not pd.abstained
    assert pd.n_photos == 3 and pd.n_used == 3 and pd.agreement == 1.0
    assert np.isclose(pd.confidence, (0.9 + 0.7 + 0.5) / 3)


def test_combine_disagreeing_photos_abstain() -> None:
    pd = combine([_dx([0.9, 0.05, 0.05]), _dx([0.05, 0.9, 0.05]), _dx([0.05, 0.05, 0.9])], NAMES)
    assert pd.abstained and pd.label is None and pd.reason == "photos_disagree"


def test_combine_low_mean_confidence_abstains() -> None:
    # Half of the photos agree (not a disagreement), but the mean confidence 0.535 < 0.6.
    pd = combine([_dx([0.62, 0.38, 0.0]), _dx([0.45, 0.55, 0.0], "low_confidence")], NAMES)
    assert pd.abstained and pd.label is None and pd.reason == "low_confidence"
    assert pd.agreement == 0.5 and np.isclose(pd.confidence, 0.535)


def test_combine_ignores_bad_photos_and_reports_no_usable() -> None:
    blurry = _dx([], "blurry")
    pd = combine([blurry, blurry], NAMES)
    assert pd.abstained and pd.reason == "no_usable_photo" and pd.n_used == 0
    pd2 = combine([blurry, _dx([0.95, 0.03, 0.02])], NAMES)
    assert pd2.label == "c0" and pd2.n_used == 1 and pd2.n_photos == 2


def test_diagnoser_is_safe_to_share_between_threads(dx: Diagnoser) -> None:
    from concurrent.futures import ThreadPoolExecutor

    photos = [synth.jpeg(synth.leaf(seed=s)) for s in range(6)]
    expected = [dx.diagnose(p).probs for p in photos]
    with ThreadPoolExecutor(4) as ex:
        got = list(ex.map(lambda p: dx.diagnose(p).probs, photos * 3))
    assert got == expected * 3


def _ok_quality() -> QualityReport:
    return QualityReport(True, "ok", "", "")


def test_crop_prior_says_does_not_look_like_the_crop(dx: Diagnoser) -> None:
    # Evidence for rice, field said to be corn: no forced corn label, an honest "not corn".
    cal = dataclasses.replace(dx.calibration, crop_min_probability=0.3, energy_threshold=1e9)
    d2 = Diagnoser(dx.classifier, dx.labels, cal)
    logits = np.full(len(dx.labels), -4.0)
    rice = dx.labels.indices_for_crop("rice")
    logits[rice[0]] = 8.0
    d = d2.decide(logits, _ok_quality(), crop="corn")
    assert d.abstained and d.label is None and d.reason == "crop_mismatch"
    assert d.crop_probability is not None and d.crop_probability < 0.3
    assert "maize" in d.message_en and "ngô" in d.message_vi and "{" not in d.message_en
    assert all(c.label.startswith("corn__") for c in d.top3)
    # The same photo with the crop it shows gets its label.
    ok = d2.decide(logits, _ok_quality(), crop="rice")
    assert not ok.abstained and ok.label == dx.labels.names[rice[0]]
    assert ok.crop_probability is not None and ok.crop_probability > 0.99
    # Plant-level answer keeps the crop-specific message.
    pd = combine([d], dx.labels.names)
    assert pd.reason == "crop_mismatch" and "maize" in pd.message_en


def test_crop_abstain_threshold_applies_only_with_a_crop(dx: Diagnoser) -> None:
    cal = dataclasses.replace(
        dx.calibration,
        abstain_threshold=0.5,
        crop_abstain_threshold=0.95,
        energy_threshold=1e9,
        temperature=1.0,
    )
    d2 = Diagnoser(dx.classifier, dx.labels, cal)
    logits = np.full(len(dx.labels), -6.0)
    tomato = dx.labels.indices_for_crop("tomato")
    logits[tomato[0]], logits[tomato[1]] = 3.0, 1.0  # within tomato: p(top) = 0.88
    assert not d2.decide(logits, _ok_quality()).abstained
    d = d2.decide(logits, _ok_quality(), crop="tomato")
    assert d.abstained and d.reason == "low_confidence" and d.threshold == 0.95

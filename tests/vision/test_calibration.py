from __future__ import annotations

import numpy as np

from vision.calibration import Calibration, energy, expected_calibration_error, fit_temperature, softmax


def test_softmax_and_energy() -> None:
    z = np.array([[2.0, 0.0, -1.0]])
    p = softmax(z)
    assert np.isclose(p.sum(), 1.0) and p.argmax() == 0
    assert np.isclose(energy(z)[0], -np.log(np.exp(z).sum()))
    # A flat, low-logit vector (what outlier exposure trains for) has higher energy.
    assert energy(np.zeros((1, 3)))[0] > energy(np.array([[8.0, 0.0, 0.0]]))[0]


def test_temperature_fit_recovers_overconfidence() -> None:
    rng = np.random.default_rng(0)
    n, k = 4000, 5
    y = rng.integers(0, k, n)
    true_logits = rng.normal(0, 1, (n, k))
    true_logits[np.arange(n), y] += 1.5
    # Sample labels from the "true" model, then show the fit a 3x overconfident copy.
    p = softmax(true_logits)
    y = np.array([rng.choice(k, p=row) for row in p])
    t = fit_temperature(true_logits * 3.0, y)
    assert 2.4 < t < 3.6
    assert expected_calibration_error(softmax(true_logits * 3.0, t), y) < expected_calibration_error(
        softmax(true_logits * 3.0), y
    )


def test_calibration_json_roundtrip() -> None:
    c = Calibration(temperature=1.7, abstain_threshold=0.55, energy_threshold=-3.0)
    import json

    back = Calibration.from_dict(json.loads(c.to_json()))
    assert back == c

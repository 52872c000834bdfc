"""Fleet health math: battery trend and days left, frame loss, visit reasons and their order."""

from __future__ import annotations

import pytest

from server.technician.fleet import NodeHealth, Trend, battery_trend, frame_loss, reasons, state


def test_battery_days_left_by_linear_fit() -> None:
    pts = [(i * 3600, 3.90 - 0.05 * i / 24) for i in range(0, 24 * 4)]  # -0.05 V/day for 4 days
    trend = battery_trend(pts)
    assert trend is not None and trend.slope_v_per_day == pytest.approx(-0.05, abs=1e-4)
    now_v = pts[-1][1]
    assert trend.days_left == pytest.approx((now_v - 3.3) / 0.05, abs=0.2)


def test_no_trend_from_too_little_or_rising_history() -> None:
    assert battery_trend([(0, 4.0), (600, 3.99), (1200, 3.98)]) is None
    rising = battery_trend([(i * 3600, 3.8 + 0.001 * i) for i in range(30)])
    assert rising is not None and rising.days_left is None


def test_frame_loss() -> None:
    assert frame_loss(96, 86400, 900) == 0.0
    assert frame_loss(48, 86400, 900) == 0.5
    assert frame_loss(0, 0, 900) is None


def test_reasons_sorted_by_urgency_in_both_languages() -> None:
    h = NodeHealth(
        age_s=5 * 3600,
        battery_v=3.4,
        trend=Trend(-0.05, 2.0),
        rssi=-97,
        loss=0.4,
        faults={"soil_vwc": "timeout"},
    )
    codes = [r.code for r in reasons(h)]
    assert codes == ["offline", "battery", "sensor_fault", "frame_loss", "weak_signal"]
    assert all(r.get(lang) for r in reasons(h) for lang in ("vi", "en"))
    assert state(h) == "offline"
    assert [r.code for r in reasons(NodeHealth(age_s=None))] == ["never_seen"] and state(
        NodeHealth(None)
    ) == "new"
    assert reasons(NodeHealth(age_s=600, battery_v=3.9, trend=Trend(-0.01, 60.0), rssi=-70, loss=0.0)) == []

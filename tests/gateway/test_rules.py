"""The pure rule engine: dwell time, hysteresis, quiet hours, flagged readings, valve timing."""

from __future__ import annotations

import pytest

from gateway.actuators import FakeValve, ValveController, parse_valves
from gateway.rules import Alert, CloseValve, OpenValve, RuleEngine, RuleSet, in_quiet_hours, parse_ruleset

H = 3600
# 2026-06-01 00:00 Vietnam time (UTC+7) = 2026-05-31 17:00 UTC
MIDNIGHT_VN = 1780246800


def engine(**rule: object) -> RuleEngine:
    base = {"id": "r1", "field_id": 5, "below": 0.25, "clear_above": 0.28, "for_s": 2 * H, "valve": "v1",
            "open_s": 1200}  # fmt: skip
    return RuleEngine(parse_ruleset({"version": 3, "rules": [base | rule]}))


def feed(
    e: RuleEngine, t: int, vwc: float, node: int = 1, flagged: frozenset[str] = frozenset()
) -> list[object]:
    e.observe(node, 5, t, {"soil_vwc": vwc}, flagged)
    return list(e.tick(t))


def kinds(actions: list[object]) -> list[str]:
    return [type(a).__name__ for a in actions]


def test_dry_for_two_hours_alerts_and_opens_the_valve_then_closes_it() -> None:
    e = engine()
    t0 = MIDNIGHT_VN + 8 * H
    assert feed(e, t0, 0.22) == []
    assert feed(e, t0 + H, 0.21) == []
    actions = feed(e, t0 + 2 * H, 0.21)
    assert kinds(actions) == ["Alert", "OpenValve"]
    alert = actions[0]
    assert (
        isinstance(alert, Alert)
        and "Độ ẩm đất" in alert.message["vi"]
        and "below refill point" in alert.message["en"]
    )
    assert actions[1] == OpenValve("r1", "v1", 1200)
    assert e.open_valves() == {"v1": t0 + 2 * H + 1200}
    assert e.tick(t0 + 2 * H + 600) == []
    assert e.tick(t0 + 2 * H + 1200) == [CloseValve("r1", "v1")]


def test_one_wet_reading_in_between_resets_the_dwell_time() -> None:
    e = engine()
    t0 = MIDNIGHT_VN + 8 * H
    feed(e, t0, 0.22)
    feed(e, t0 + H, 0.30)  # rain
    assert feed(e, t0 + 2 * H, 0.22) == []
    assert kinds(feed(e, t0 + 4 * H, 0.22)) == ["Alert", "OpenValve"]


def test_hysteresis_no_refire_until_clearly_wet_but_repeats_if_still_dry() -> None:
    e = engine(repeat_after_s=6 * H)
    t0 = MIDNIGHT_VN + 6 * H
    feed(e, t0, 0.2)
    assert kinds(feed(e, t0 + 2 * H, 0.2)) == ["Alert", "OpenValve"]
    # Hovering around the refill point (inside the band) after the valve closed: no new alert.
    for i in range(1, 8):
        acts = feed(e, t0 + 2 * H + i * 1800, 0.26 if i % 2 else 0.24)
        assert "Alert" not in kinds(acts)
    # Still dry 6 h after firing: it repeats once.
    assert "Alert" in kinds(feed(e, t0 + 8 * H + 60, 0.24))
    # Clearly wet re-arms; dry again for 2 h fires again without waiting for the repeat time.
    feed(e, t0 + 9 * H, 0.30)
    feed(e, t0 + 10 * H, 0.2)
    assert kinds(feed(e, t0 + 12 * H, 0.2)) == ["Alert", "OpenValve"]


def test_quiet_hours_defer_the_action_to_their_end() -> None:
    e = engine(quiet_hours=[22, 5])
    t0 = MIDNIGHT_VN - 3 * H  # 21:00 local
    feed(e, t0, 0.2)
    for hour in range(2, 8):  # 23:00 .. 04:00 local: due but quiet
        assert feed(e, t0 + hour * H, 0.2) == []
    assert kinds(feed(e, t0 + 8 * H, 0.2)) == ["Alert", "OpenValve"]  # 05:00 local


def test_flagged_and_stale_readings_never_open_a_valve() -> None:
    e = engine()
    t0 = MIDNIGHT_VN + 8 * H
    for i in range(6):
        assert feed(e, t0 + i * H, 0.01, flagged=frozenset({"soil_vwc"})) == []
    e2 = engine(stale_s=H)
    e2.observe(1, 5, t0, {"soil_vwc": 0.2})
    assert e2.tick(t0 + 3 * H) == []  # the only reading is too old to act on


def test_field_value_is_the_mean_of_each_nodes_latest_reading() -> None:
    e = engine()
    t0 = MIDNIGHT_VN + 8 * H
    e.observe(1, 5, t0, {"soil_vwc": 0.20})
    e.observe(2, 5, t0, {"soil_vwc": 0.32})
    e.observe(3, 6, t0, {"soil_vwc": 0.01})  # another field
    assert e.field_value(e.ruleset.rules[0], t0) == (pytest.approx(0.26), t0)


def test_changing_the_rule_set_closes_an_open_valve() -> None:
    e = engine()
    t0 = MIDNIGHT_VN + 8 * H
    feed(e, t0, 0.2)
    feed(e, t0 + 2 * H, 0.2)
    assert e.load(RuleSet(4)) == [CloseValve("r1", "v1")]


@pytest.mark.parametrize(
    "doc",
    [
        {"rules": []},
        {"version": 1, "rules": [{"id": "a", "below": 0.2}]},  # no field
        {"version": 1, "rules": [{"id": "a", "field_id": 1, "below": 0.2, "clear_above": 0.1}]},
        {"version": 1, "rules": [{"id": "a", "field_id": 1, "below": 0.2, "quiet_hours": [22]}]},
        {"version": 1, "rules": [{"id": "a", "field_id": 1, "below": 0.2, "open_s": 86400}]},
        {
            "version": 1,
            "rules": [{"id": "a", "field_id": 1, "below": 0.2}, {"id": "a", "field_id": 2, "below": 0.2}],
        },
        {"version": 1, "rules": [{"id": "a", "field_id": 1, "kind": "pump_everything"}]},
    ],
)
def test_invalid_rule_sets_are_refused(doc: dict[str, object]) -> None:
    with pytest.raises((ValueError, KeyError)):
        parse_ruleset(doc)


def test_quiet_hours_wrap_midnight() -> None:
    assert in_quiet_hours((22, 5), MIDNIGHT_VN + 2 * H, 7 * H)
    assert not in_quiet_hours((22, 5), MIDNIGHT_VN + 12 * H, 7 * H)
    assert in_quiet_hours((12, 14), MIDNIGHT_VN + 13 * H, 7 * H)


def test_valve_controller_drives_gpio_and_fakes(tmp_path: object) -> None:
    from pathlib import Path

    sysfs = Path(str(tmp_path))
    (sysfs / "gpio17").mkdir()
    valves = parse_valves("v1=gpio17:low", sysfs)
    fake = FakeValve()
    ctl = ValveController({**valves, "v2": fake})
    ctl.apply([OpenValve("r", "v1", 60), OpenValve("r", "v2", 60)])
    assert (sysfs / "gpio17" / "value").read_text() == "0"  # active low: open = 0
    assert fake.is_open
    ctl.apply([CloseValve("r", "v1"), CloseValve("r", "v2"), CloseValve("r", "missing")])
    assert (sysfs / "gpio17" / "value").read_text() == "1" and not fake.is_open
    assert ctl.errors == 1
    with pytest.raises(ValueError):
        parse_valves("v1=17")

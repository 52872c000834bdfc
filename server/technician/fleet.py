"""Fleet health, pure: battery trend by least squares, frame loss, and the "needs a visit" reasons.

Every reason carries a stable code, an urgency (higher = sooner) and a message key with parameters
worded in every language (``data/messages.json``), so the phone list, the map and the CSV all say
the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from common.language import Lang
from common.node_limits import BATTERY_EMPTY_V, NodeVerdict, verdict
from server.advisory.i18n import Num, Text, message

MIN_TREND_SPAN_S = 12 * 3600
HIGH_LOSS = 0.2


@dataclass(frozen=True)
class Trend:
    slope_v_per_day: float
    days_left: float | None  # None: not falling, or too little history


def battery_trend(points: Sequence[tuple[int, float]], empty_v: float = BATTERY_EMPTY_V) -> Trend | None:
    """Least-squares line through (time s, volts); days until it reaches ``empty_v``."""
    if len(points) < 3 or points[-1][0] - points[0][0] < MIN_TREND_SPAN_S:
        return None
    n = len(points)
    t0 = points[0][0]
    xs = [(t - t0) / 86400 for t, _ in points]
    ys = [v for _, v in points]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    now_v = my + slope * (xs[-1] - mx)  # the fitted value now: less noisy than the last sample
    if slope >= -1e-4:
        return Trend(round(slope, 4), None)
    return Trend(round(slope, 4), round(max(0.0, (now_v - empty_v) / -slope), 1))


def frame_loss(received: int, window_s: int, interval_s: int) -> float | None:
    """Share of expected frames that did not arrive in the window (0 when all did)."""
    expected = window_s // max(interval_s, 1)
    if expected <= 0:
        return None
    return round(max(0.0, 1 - received / expected), 3)


@dataclass(frozen=True)
class Reason:
    """Why a node needs a visit: a stable code, an urgency and its message (``visit.<code>``)."""

    code: str
    urgency: int
    text: Text

    def get(self, lang: Lang) -> str:
        """The reason in ``lang``."""
        return self.text.get(lang)

    def as_json(self) -> dict[str, Any]:
        """``{code, urgency, key, <lang>: text ...}``: the shape the technician app reads."""
        return {"code": self.code, "urgency": self.urgency} | self.text.as_json()


@dataclass
class NodeHealth:
    age_s: int | None
    battery_v: float | None = None
    trend: Trend | None = None
    rssi: float | None = None
    loss: float | None = None
    faults: dict[str, str] = field(default_factory=dict)
    config_pending: bool = False


def health(h: NodeHealth) -> NodeVerdict:
    """The common verdict (common.node_limits) the farmer, officer and gateway screens also give."""
    return verdict(h.age_s, h.battery_v, h.rssi)


def state(h: NodeHealth) -> str:
    v = health(h)
    if not v.online:
        return "new" if h.age_s is None else "offline"
    return "sensor_fault" if h.faults else "online"


def _reason(code: str, urgency: int, key: str, **params: Any) -> Reason:
    return Reason(code, urgency, message(f"visit.{key}", **params))


def reasons(h: NodeHealth) -> list[Reason]:
    """Why someone should go to this node, most urgent first (empty: no visit needed)."""
    out: list[Reason] = []
    v = health(h)
    if h.age_s is None:
        out.append(_reason("never_seen", 60, "never_seen"))
    elif not v.online:
        hours = h.age_s // 3600
        out.append(_reason("offline", 90 + min(hours, 9), "offline", hours=hours))
    days = h.trend.days_left if h.trend else None
    if v.battery_low or (days is not None and days < 7):
        urgency = 80 if days is not None and days < 3 else 70
        out.append(_reason("battery", urgency, "battery", days=Num(days, 0) if days is not None else "?"))
    if h.faults:
        out.append(_reason("sensor_fault", 65, "sensor_fault", names=", ".join(sorted(h.faults))))
    if h.loss is not None and h.loss > HIGH_LOSS:
        out.append(_reason("frame_loss", 50, "frame_loss", pct=round(h.loss * 100)))
    if v.link == "weak":
        assert h.rssi is not None
        out.append(_reason("weak_signal", 40, "weak_signal", rssi=Num(h.rssi, 0)))
    if h.config_pending and v.online:
        out.append(_reason("config_pending", 20, "config_pending"))
    return sorted(out, key=lambda r: -r.urgency)

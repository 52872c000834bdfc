"""Fleet health: which node needs a technician's visit, and why — pure, from the intake's state.

Reasons are message keys with parameters (``gateway/messages.json``), worded in every language of
``LANGS``, and ranked by severity (3 = go today, 2 = this week, 1 = next time you pass), so the
status page and ``farm gateway status`` can print one sorted list.
Offline, battery low/empty and weak link are the common verdict (``common.node_limits``) the server's
farmer, officer and technician screens give too; the gateway adds what only it sees (SNR, frame
loss, forged frames).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.language import LANGS, Lang, Num, plain, words
from common.node_limits import BATTERY_EMPTY_V, verdict
from gateway.texts import text

SNR_WEAK_DB = 0.0
LOSS_WARN = 0.05


@dataclass(frozen=True)
class Reason:
    """Why a node needs a visit: a stable code, a message key with its parameters, and its text in
    every language (``texts``)."""

    code: str
    severity: int
    key: str
    params: dict[str, Any]
    texts: dict[Lang, str]

    def get(self, lang: Lang) -> str:
        """The reason in ``lang``."""
        return words(self.texts, lang)

    def as_json(self) -> dict[str, Any]:
        """``{code, severity, key, params, <lang>: text ...}``: the health file's shape."""
        return {"code": self.code, "severity": self.severity, "key": self.key, "params": self.params} | {
            lang: self.get(lang) for lang in LANGS
        }


@dataclass(frozen=True)
class Visit:
    node_id: int
    severity: int
    reasons: tuple[Reason, ...]


def battery_trend_v_per_day(hist: list[list[float]]) -> float | None:
    """Least-squares slope of (time, volts) in V/day; None with under 6 h of history."""
    if len(hist) < 3 or hist[-1][0] - hist[0][0] < 6 * 3600:
        return None
    n = len(hist)
    mt = sum(t for t, _ in hist) / n
    mv = sum(v for _, v in hist) / n
    den = sum((t - mt) ** 2 for t, _ in hist)
    if den == 0:
        return None
    return sum((t - mt) * (v - mv) for t, v in hist) / den * 86400


def node_report(node_id: int, state: dict[str, Any], expected_config: int | None, now: int) -> dict[str, Any]:
    accepted = int(state.get("accepted", 0))
    gaps = int(state.get("gaps", 0))
    last_seen = state.get("last_seen")
    trend = battery_trend_v_per_day(state.get("battery_hist", []))
    silent = None if last_seen is None else max(0, now - int(last_seen))
    health = verdict(silent, state.get("battery"), state.get("rssi"))
    return {
        "node_id": node_id,
        "last_seen": last_seen,
        "silent_s": silent,
        "health": health.as_json(),
        "interval_s": state.get("interval_s"),
        "battery_v": state.get("battery"),
        "battery_trend_v_per_day": None if trend is None else round(trend, 4),
        "rssi_dbm": state.get("rssi"),
        "snr_db": state.get("snr"),
        "accepted": accepted,
        "frames_lost": gaps,
        "loss_ratio": round(gaps / (accepted + gaps), 4) if accepted + gaps else 0.0,
        "duplicates": int(state.get("duplicates", 0)),
        "forged": int(state.get("forged", 0)),
        "malformed": int(state.get("malformed", 0)) + int(state.get("oversized", 0)),
        "not_durable": int(state.get("not_durable", 0)),
        "sensor_faults": list(state.get("faults", [])),
        "flagged": list(state.get("flagged", [])),
        "config_version": state.get("config_version"),
        "config_expected": expected_config,
    }


def _reason(code: str, severity: int, key: str, **params: Any) -> Reason:
    return Reason(code, severity, key, {k: plain(v) for k, v in params.items()}, text(key, **params))


def reasons_for(r: dict[str, Any]) -> list[Reason]:
    out: list[Reason] = []
    health = r.get("health") or verdict(r["silent_s"], r["battery_v"], r["rssi_dbm"]).as_json()
    if r["last_seen"] is None:
        out.append(_reason("never_seen", 2, "fleet.never_seen"))
    elif health["presence"] == "offline":
        out.append(_reason("silent", 3, "fleet.silent", hours=float(r["silent_s"] / 3600)))
    v = r["battery_v"]
    if health["battery"] in ("low", "empty"):
        out.append(_reason("battery_low", 3, "fleet.battery_low", volts=Num(float(v or 0.0), 2)))
    elif v is not None and r["battery_trend_v_per_day"] is not None and r["battery_trend_v_per_day"] < 0:
        days = (v - BATTERY_EMPTY_V) / -r["battery_trend_v_per_day"]
        if days < 7:
            out.append(_reason("battery_falling", 2, "fleet.battery_falling", days=Num(days, 0)))
    if r["sensor_faults"]:
        out.append(_reason("sensor_fault", 2, "fleet.sensor_fault", names=", ".join(r["sensor_faults"])))
    if r["forged"]:
        out.append(_reason("forged", 2, "fleet.forged", count=int(r["forged"])))
    if r["loss_ratio"] > LOSS_WARN and r["accepted"] + r["frames_lost"] >= 20:
        sev = 2 if r["loss_ratio"] > 0.2 else 1
        out.append(_reason("frame_loss", sev, "fleet.frame_loss", pct=Num(100 * r["loss_ratio"], 0)))
    weak_rssi = health["link"] == "weak"
    weak_snr = r["snr_db"] is not None and r["snr_db"] < SNR_WEAK_DB
    if weak_rssi or weak_snr:
        signal = (
            text("fleet.rssi", value=r["rssi_dbm"]) if weak_rssi else text("fleet.snr", value=r["snr_db"])
        )
        out.append(_reason("weak_signal", 1, "fleet.weak_signal", signal=signal))
    if r["flagged"]:
        out.append(_reason("implausible", 1, "fleet.implausible", names=", ".join(r["flagged"])))
    expected, reported = r["config_expected"], r["config_version"]
    if expected is not None and reported is not None and reported < expected:
        out.append(
            _reason(
                "config_outdated", 1, "fleet.config_outdated", reported=str(reported), expected=str(expected)
            )
        )
    return out


def needs_visit(reports: list[dict[str, Any]]) -> list[Visit]:
    """Nodes with at least one reason, most urgent first (severity, then number of reasons)."""
    visits = []
    for r in reports:
        reasons = sorted(reasons_for(r), key=lambda x: -x.severity)
        if reasons:
            visits.append(Visit(int(r["node_id"]), reasons[0].severity, tuple(reasons)))
    return sorted(visits, key=lambda v: (-v.severity, -len(v.reasons), v.node_id))

"""Local irrigation rules, evaluated on the gateway so they keep working while the internet is down.

Pure: no I/O and no clock. The caller feeds accepted readings (``observe``) and the current time
(``tick``) and carries out the returned actions through an actuator (``gateway.actuators``).

One rule kind, ``refill``: "the field's soil moisture has stayed below the refill point for
``for_s`` → alert and, if a valve is configured, open it for ``open_s``". Why each part:

- *for_s*: one dry reading is noise (a probe in an air pocket); a trend of two hours is not.
- *hysteresis*: after firing the rule re-arms only once moisture rises above ``clear_above``
  (default refill point + 0.03 m³/m³), so a reading hovering at the threshold cannot open the
  valve again and again; if it stays dry the rule repeats at most every ``repeat_after_s``.
- *quiet hours* (local time, e.g. 22–5): no alert and no valve; a due action waits for the end.
- flagged readings (out of range, stuck, sensor fault) are ignored: a broken probe must never
  flood a field, and readings older than ``stale_s`` no longer count.
- the field value is the mean of each node's latest good reading in that field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from common.language import Lang, Num, plain
from common.timezone import UTC_OFFSET_S
from gateway.texts import text

DEFAULT_UTC_OFFSET_S = UTC_OFFSET_S  # the farm's civil time unless the rule file says otherwise


@dataclass(frozen=True)
class Rule:
    id: str
    field_id: int | None = None
    node_ids: tuple[int, ...] = ()
    channel: str = "soil_vwc"
    below: float = 0.25
    clear_above: float = 0.28
    for_s: int = 7200
    valve: str | None = None
    open_s: int = 1200
    quiet_hours: tuple[int, int] | None = None
    repeat_after_s: int = 6 * 3600
    stale_s: int = 3 * 3600

    def matches(self, node_id: int, field_id: int | None) -> bool:
        if self.node_ids:
            return node_id in self.node_ids
        return self.field_id is not None and field_id == self.field_id


@dataclass(frozen=True)
class RuleSet:
    version: int
    rules: tuple[Rule, ...] = ()
    utc_offset_s: int = DEFAULT_UTC_OFFSET_S


def parse_ruleset(doc: Any) -> RuleSet:
    """Validate the server's rule set; raises ValueError so a bad set never replaces a good one."""
    if not isinstance(doc, dict) or not isinstance(doc.get("version"), int):
        raise ValueError("rule set must be an object with an integer 'version'")
    raw_rules = doc.get("rules", [])
    if not isinstance(raw_rules, list):
        raise ValueError("'rules' must be a list")
    rules = []
    seen = set()
    for item in raw_rules:
        if not isinstance(item, dict) or item.get("kind", "refill") != "refill":
            raise ValueError(f"unsupported rule {item!r}")
        rid = str(item.get("id", ""))
        if not rid or rid in seen:
            raise ValueError("each rule needs a unique 'id'")
        seen.add(rid)
        below = float(item["below"])
        clear = float(item.get("clear_above", below + 0.03))
        if clear < below:
            raise ValueError(f"rule {rid}: clear_above must be >= below")
        quiet = item.get("quiet_hours")
        if quiet is not None:
            if not (
                isinstance(quiet, list)
                and len(quiet) == 2
                and all(isinstance(h, int) and 0 <= h < 24 for h in quiet)
            ):
                raise ValueError(f"rule {rid}: quiet_hours must be [start_hour, end_hour]")
            quiet = (quiet[0], quiet[1])
        rule = Rule(
            id=rid,
            field_id=None if item.get("field_id") is None else int(item["field_id"]),
            node_ids=tuple(int(n) for n in item.get("node_ids", [])),
            channel=str(item.get("channel", "soil_vwc")),
            below=below,
            clear_above=clear,
            for_s=int(item.get("for_s", 7200)),
            valve=None if item.get("valve") in (None, "") else str(item["valve"]),
            open_s=int(item.get("open_s", 1200)),
            quiet_hours=quiet,
            repeat_after_s=int(item.get("repeat_after_s", 6 * 3600)),
            stale_s=int(item.get("stale_s", 3 * 3600)),
        )
        if rule.field_id is None and not rule.node_ids:
            raise ValueError(f"rule {rid}: give field_id or node_ids")
        if not 0 < rule.open_s <= 4 * 3600 or rule.for_s < 0:
            raise ValueError(f"rule {rid}: open_s must be in (0, 4 h] and for_s >= 0")
        rules.append(rule)
    return RuleSet(int(doc["version"]), tuple(rules), int(doc.get("utc_offset_s", DEFAULT_UTC_OFFSET_S)))


@dataclass(frozen=True)
class Alert:
    """A rule fired: a message key with its parameters, worded in every language (``message``).

    Rule files carry no texts (only thresholds, valves and hours), so old rule files load as before;
    the health file's alerts carry ``key``/``params``/``message`` instead of ``message_vi``/``_en``."""

    rule_id: str
    at: int
    value: float
    key: str
    params: dict[str, Any]
    message: dict[Lang, str]

    def as_json(self) -> dict[str, Any]:
        """The alert as the health file and the server's health push carry it."""
        return {
            "rule_id": self.rule_id,
            "at": self.at,
            "value": self.value,
            "key": self.key,
            "params": self.params,
            "message": dict(self.message),
        }


@dataclass(frozen=True)
class OpenValve:
    rule_id: str
    valve: str
    seconds: int


@dataclass(frozen=True)
class CloseValve:
    rule_id: str
    valve: str


Action = Alert | OpenValve | CloseValve


@dataclass
class _RuleState:
    latest: dict[int, tuple[int, float]] = field(default_factory=dict)  # node -> (sampled_at, value)
    below_since: int | None = None
    armed: bool = True
    fired_at: int | None = None
    open_until: int | None = None


def refill_alert(rule: Rule, now: int, value: float, hours: float) -> Alert:
    """The alert of a fired refill rule, worded from ``gateway/messages.json``."""
    if rule.valve:
        action = text("rules.open_valve", valve=rule.valve, minutes=rule.open_s // 60)
    else:
        action = text("rules.irrigate")
    params: dict[str, Any] = {"value": Num(value, 2), "below": Num(rule.below, 2), "hours": Num(hours, 1)}
    message = text("rules.refill", **params, action=action)
    stored = {k: plain(v) for k, v in params.items()} | {"valve": rule.valve, "minutes": rule.open_s // 60}
    return Alert(rule.id, now, round(value, 4), "rules.refill", stored, message)


def in_quiet_hours(quiet: tuple[int, int] | None, now: int, utc_offset_s: int) -> bool:
    if quiet is None:
        return False
    hour = ((now + utc_offset_s) // 3600) % 24
    start, end = quiet
    return start <= hour < end if start <= end else hour >= start or hour < end


class RuleEngine:
    def __init__(self, ruleset: RuleSet | None = None) -> None:
        self.ruleset = ruleset or RuleSet(0)
        self._state: dict[str, _RuleState] = {}
        self.alerts: list[Alert] = []  # the most recent, for the status page and health push

    def load(self, ruleset: RuleSet) -> list[Action]:
        """Switch to a new rule set; valves of removed or changed rules are closed."""
        actions: list[Action] = []
        new_ids = {r.id: r for r in ruleset.rules}
        for rule in self.ruleset.rules:
            st = self._state.get(rule.id)
            if st and st.open_until is not None and rule.valve and new_ids.get(rule.id) != rule:
                actions.append(CloseValve(rule.id, rule.valve))
                st.open_until = None
            if new_ids.get(rule.id) != rule:
                self._state.pop(rule.id, None)
        self.ruleset = ruleset
        return actions

    def observe(self, node_id: int, field_id: int | None, sampled_at: int, values: dict[str, float],
                flagged: frozenset[str] = frozenset()) -> None:  # fmt: skip
        for rule in self.ruleset.rules:
            value = values.get(rule.channel)
            if value is None or rule.channel in flagged or not rule.matches(node_id, field_id):
                continue
            st = self._state.setdefault(rule.id, _RuleState())
            prev = st.latest.get(node_id)
            if prev is None or sampled_at >= prev[0]:
                st.latest[node_id] = (sampled_at, value)

    def field_value(self, rule: Rule, now: int) -> tuple[float, int] | None:
        """(mean of the latest fresh reading per node, newest sample time), or None."""
        st = self._state.get(rule.id)
        if st is None:
            return None
        fresh = [(t, v) for t, v in st.latest.values() if now - t <= rule.stale_s]
        if not fresh:
            return None
        return sum(v for _t, v in fresh) / len(fresh), max(t for t, _v in fresh)

    def tick(self, now: int) -> list[Action]:
        actions: list[Action] = []
        for rule in self.ruleset.rules:
            st = self._state.setdefault(rule.id, _RuleState())
            if st.open_until is not None and now >= st.open_until and rule.valve:
                actions.append(CloseValve(rule.id, rule.valve))
                st.open_until = None
            current = self.field_value(rule, now)
            if current is None:
                continue
            value, sampled = current
            if value < rule.below:
                if st.below_since is None:
                    st.below_since = sampled
            elif value > rule.clear_above:
                st.below_since = None
                st.armed = True
            due = st.below_since is not None and now - st.below_since >= rule.for_s
            may_repeat = st.fired_at is not None and now - st.fired_at >= rule.repeat_after_s
            if not due or not (st.armed or may_repeat) or st.open_until is not None:
                continue
            if in_quiet_hours(rule.quiet_hours, now, self.ruleset.utc_offset_s):
                continue
            st.armed = False
            st.fired_at = now
            hours = (now - (st.below_since or now)) / 3600
            alert = refill_alert(rule, now, value, hours)
            actions.append(alert)
            self.alerts = [*self.alerts[-19:], alert]
            if rule.valve:
                actions.append(OpenValve(rule.id, rule.valve, rule.open_s))
                st.open_until = now + rule.open_s
        return actions

    def open_valves(self) -> dict[str, int]:
        """valve -> time it closes, for the status page."""
        out = {}
        for rule in self.ruleset.rules:
            st = self._state.get(rule.id)
            if rule.valve and st and st.open_until is not None:
                out[rule.valve] = st.open_until
        return out

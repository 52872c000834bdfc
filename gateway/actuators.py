"""Valve actuators for the local rules: a GPIO relay on the Pi, and a fake that records for tests.

Fail-safe by construction: the gateway closes every configured valve when it starts (a crash
while a valve was open must not leave a field flooding), and the rule engine always pairs an open
with a timed close. The GPIO adapter writes the Linux GPIO sysfs ``value`` file of an exported
line (``echo N > /sys/class/gpio/export`` once, e.g. from the systemd unit); that keeps the
gateway free of native dependencies and is enough for a relay board.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from gateway.rules import Action, Alert, CloseValve, OpenValve

log = logging.getLogger("gateway.actuators")


class Valve(Protocol):
    def set_open(self, is_open: bool) -> None: ...


@dataclass
class GpioValve:
    """A relay on one GPIO line; ``active_low`` for the common opto-isolated relay boards."""

    line: int
    active_low: bool = False
    sysfs: Path = Path("/sys/class/gpio")

    def set_open(self, is_open: bool) -> None:
        level = is_open != self.active_low
        (self.sysfs / f"gpio{self.line}" / "value").write_text("1" if level else "0")


@dataclass
class FakeValve:
    events: list[tuple[float, bool]] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return bool(self.events) and self.events[-1][1]

    def set_open(self, is_open: bool) -> None:
        self.events.append((time.time(), is_open))


def parse_valves(spec: str, sysfs: Path = Path("/sys/class/gpio")) -> dict[str, Valve]:
    """``"v1=gpio17,v2=gpio27:low"`` -> valves; an empty spec means no valve is wired."""
    valves: dict[str, Valve] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, target = part.partition("=")
        target, _, opt = target.partition(":")
        if not name or not target.startswith("gpio") or not target[4:].isdigit():
            raise ValueError(f"bad valve spec {part!r}: want NAME=gpioN[:low]")
        valves[name] = GpioValve(int(target[4:]), opt == "low", sysfs)
    return valves


class ValveController:
    """Carries out the rule engine's actions; a valve the rules name but nobody wired is logged."""

    def __init__(self, valves: dict[str, Valve]) -> None:
        self.valves = valves
        self.errors = 0

    def close_all(self) -> None:
        for name in self.valves:
            self._set(name, False)

    def apply(self, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, Alert):
                log.warning("event=rule_alert rule=%s value=%s key=%s msg=%r", action.rule_id,
                            action.value, action.key, action.message)  # fmt: skip
            elif isinstance(action, OpenValve):
                log.info(
                    "event=valve_open rule=%s valve=%s seconds=%d",
                    action.rule_id,
                    action.valve,
                    action.seconds,
                )
                self._set(action.valve, True)
            elif isinstance(action, CloseValve):
                log.info("event=valve_close rule=%s valve=%s", action.rule_id, action.valve)
                self._set(action.valve, False)

    def _set(self, name: str, is_open: bool) -> None:
        valve = self.valves.get(name)
        if valve is None:
            self.errors += 1
            log.error("event=valve_missing valve=%s", name)
            return
        try:
            valve.set_open(is_open)
        except OSError as exc:
            self.errors += 1
            log.error("event=valve_error valve=%s error=%r", name, exc)

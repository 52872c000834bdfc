"""The gateway coordinator: owns the outbox, keys, rules, intake transports and uplink; one place for I/O.

Background threads, each with one job: the forwarder (uplink), each intake transport (MQTT,
serial), the config loop (node keys and rules from the server, broker reload), the rule ticker
and the health loop (local health file, push to the server). Every thread survives a failing
server: the gateway keeps verifying, storing and running rules on its cached keys and rules.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from gateway import fleet
from gateway.actuators import Valve, ValveController
from gateway.downlink import Downlink
from gateway.forwarder import Forwarder
from gateway.intake import FrameProcessor, Observation
from gateway.keys import NodeKeys
from gateway.mosquitto import read_pid, reload_broker, write_credentials
from gateway.outbox import Outbox
from gateway.rules import RuleEngine, RuleSet, parse_ruleset

log = logging.getLogger("gateway")

DEFAULT_OUTBOX_MAX_BYTES = 1 << 30  # 1 GiB: months of a 200-node farm (docs/gateway.md)


@dataclass(frozen=True)
class BrokerSync:
    """Where the local broker's files live, so new node keys reach it without a restart."""

    conf_dir: Path
    pid_file: Path
    gateway_user: str
    gateway_password: str
    run_as: str | None = None


@dataclass(frozen=True)
class GatewayConfig:
    data_dir: Path
    server_url: str
    token: str
    key_refresh_s: float = 300.0
    outbox_max_bytes: int | None = DEFAULT_OUTBOX_MAX_BYTES
    outbox_alarm_fraction: float = 0.8
    health_push_s: float = 60.0
    rule_tick_s: float = 30.0
    valves: dict[str, Valve] = field(default_factory=dict)
    broker: BrokerSync | None = None


class Gateway:
    def __init__(self, config: GatewayConfig) -> None:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.config = config
        self.started_at = time.time()
        self.outbox = Outbox(config.data_dir / "outbox.sqlite", config.outbox_max_bytes)
        self.keys = NodeKeys(config.data_dir / "node-keys.json")
        self.downlink = Downlink(config.data_dir, self.keys)
        self.rules = RuleEngine(self._cached_rules())
        self.valves = ValveController(config.valves)
        self._rules_lock = threading.Lock()
        self.processor = FrameProcessor(self.outbox, self.keys, on_accepted=self._observe)
        self.forwarder = Forwarder(self.outbox, config.server_url, config.token)
        self.stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.extra_health: dict[str, Callable[[], Any]] = {}  # transports add their stats here
        self.last_health_push: float | None = None
        self._alarm = False
        self._last_config: float | None = None

    # -- config from the server --------------------------------------------------------------
    def _get(self, path: str) -> Any:
        response = requests.get(
            self.config.server_url.rstrip("/") + path,
            headers={"Authorization": f"Bearer {self.config.token}"},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def refresh_keys(self) -> bool:
        """Fetch node keys from the server; on failure keep verifying with the cached ones."""
        try:
            changed = self.keys.update(self._get("/api/v1/gateway/config"))
        except (requests.RequestException, ValueError) as exc:
            log.warning("event=key_refresh_failed cached_keys=%d error=%r", len(self.keys), str(exc))
            return False
        if changed:
            log.info("event=keys_changed nodes=%d", len(self.keys))
            self.sync_broker()
        return True

    def refresh_downlink(self) -> bool:
        """Fetch the configs and firmware the server wants delivered; keep the cached set on failure."""
        base = self.config.server_url.rstrip("/")

        def fetch(version: int) -> bytes:
            response = requests.get(
                f"{base}/api/v1/gateway/updates/bundles/{int(version)}",
                headers={"Authorization": f"Bearer {self.config.token}"},
                timeout=60,
            )
            response.raise_for_status()
            return response.content

        try:
            self.downlink.update(self._get("/api/v1/gateway/updates"), fetch)
        except (requests.RequestException, ValueError, TypeError, AttributeError) as exc:
            log.warning("event=downlink_refresh_failed error=%r", str(exc))
            return False
        return True

    def sync_broker(self) -> bool:
        """Regenerate the broker's passwd/ACL from the cached keys and SIGHUP it."""
        b = self.config.broker
        if b is None:
            return False
        # Only the credentials: mosquitto.conf (listener, persistence) is the installer's.
        write_credentials(b.conf_dir, b.gateway_user, b.gateway_password, self.keys.key_map(), b.run_as)
        pid = read_pid(b.pid_file)
        if pid is None:
            log.warning("event=broker_reload_skipped reason=no_pid pid_file=%s", b.pid_file)
            return False
        try:
            reload_broker(pid)
        except ProcessLookupError:
            log.warning("event=broker_reload_skipped reason=not_running pid=%d", pid)
            return False
        except PermissionError:  # another user's broker: the systemd path unit reloads it
            log.info("event=broker_reload_delegated pid=%d", pid)
            return False
        log.info("event=broker_reloaded pid=%d nodes=%d", pid, len(self.keys))
        return True

    def _rules_path(self) -> Path:
        return self.config.data_dir / "rules.json"

    def _cached_rules(self) -> RuleSet | None:
        try:
            return parse_ruleset(json.loads(self._rules_path().read_text()))
        except (OSError, ValueError) as exc:
            if self._rules_path().exists():
                log.error("event=rules_cache_unreadable error=%r", str(exc))
            return None

    def refresh_rules(self) -> bool:
        """Fetch the rule set; a set that fails validation never replaces the last good one."""
        try:
            doc = self._get("/api/v1/gateway/rules")
            ruleset = parse_ruleset(doc)
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            log.warning(
                "event=rules_refresh_failed keeping_version=%d error=%r", self.rules.ruleset.version, str(exc)
            )
            return False
        if ruleset == self.rules.ruleset:
            return True
        tmp = self._rules_path().with_suffix(".tmp")
        tmp.write_text(json.dumps(doc))
        os.replace(tmp, self._rules_path())
        with self._rules_lock:
            self.valves.apply(self.rules.load(ruleset))
        log.info("event=rules_loaded version=%d rules=%d", ruleset.version, len(ruleset.rules))
        return True

    # -- local rules -------------------------------------------------------------------------
    def _observe(self, observations: list[Observation]) -> None:
        self.forwarder.wake.set()  # new durable frames: upload now rather than at the next poll
        with self._rules_lock:
            for o in observations:
                self.rules.observe(o.node_id, o.field_id, o.sampled_at, o.values, o.flagged)

    def tick_rules(self, now: float | None = None) -> None:
        with self._rules_lock:
            self.valves.apply(self.rules.tick(int(now if now is not None else time.time())))

    # -- lifecycle ---------------------------------------------------------------------------
    def _loop(self, period_s: float, job: Callable[[], Any], name: str) -> None:
        while not self.stop.wait(period_s):
            try:
                job()
            except Exception:
                log.exception("event=loop_failed loop=%s", name)

    def _config_job(self) -> None:
        """Refresh keys and rules every ``key_refresh_s``; every 10 s while no key is known yet
        (a new gateway that booted offline must not wait minutes once the link is up)."""
        due = self._last_config is None or time.monotonic() - self._last_config >= self.config.key_refresh_s
        if not due and len(self.keys) > 0:
            return
        if self.refresh_keys():
            self._last_config = time.monotonic()
        self.refresh_rules()
        self.refresh_downlink()

    def _health_job(self) -> None:
        self.write_health()
        if self.config.health_push_s and (
            self.last_health_push is None or time.time() - self.last_health_push >= self.config.health_push_s
        ):
            self.push_health()

    def start(self, intakes: list[Callable[[threading.Event], None]]) -> None:
        self.valves.close_all()  # fail safe: a valve left open by a crash is closed first
        if self.refresh_keys():
            self._last_config = time.monotonic()
        self.refresh_rules()
        self.refresh_downlink()
        runners: list[Callable[[threading.Event], None]] = [self.forwarder.run, *intakes]
        for target in runners:
            self._spawn(target, (self.stop,))
        self._spawn(self._loop, (min(10.0, self.config.key_refresh_s), self._config_job, "config"))
        self._spawn(self._loop, (self.config.rule_tick_s, self.tick_rules, "rules"))
        self._spawn(self._loop, (5.0, self._health_job, "health"))
        log.info("event=gateway_started data_dir=%s server=%s", self.config.data_dir, self.config.server_url)

    def _spawn(self, target: Callable[..., None], args: tuple[Any, ...]) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def shutdown(self, timeout: float = 5.0) -> None:
        self.stop.set()
        self.forwarder.wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self.valves.close_all()
        try:
            self.processor.flush_states()
            self.write_health()
        except Exception:
            log.exception("event=shutdown_flush_failed")
        self.outbox.close()
        log.info("event=gateway_stopped")

    # -- health ------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        now = int(time.time())
        stats = self.forwarder.stats
        usage = self.outbox.usage()
        fraction = usage.fraction
        alarm = fraction is not None and fraction >= self.config.outbox_alarm_fraction
        if alarm != self._alarm:
            self._alarm = alarm
            (log.error if alarm else log.info)(
                "event=outbox_alarm state=%s used_bytes=%d max_bytes=%s", "on" if alarm else "off",
                usage.used_bytes, usage.max_bytes,
            )  # fmt: skip
        infos = self.keys.all()
        states = self.processor.snapshot()
        reports = [
            fleet.node_report(n, states.get(n, {}), infos[n].config_version if n in infos else None, now)
            for n in sorted(set(states) | set(infos))
        ]
        for r in reports:
            r.update(self.downlink.report(r["node_id"]))
        visits = fleet.needs_visit([r for r in reports if r["node_id"] in infos])
        oldest = self.outbox.oldest_sampled_at()
        doc: dict[str, Any] = {
            "time": now,
            "uptime_s": now - int(self.started_at),
            "queue_depth": self.outbox.depth(),
            "oldest_queued_s": None if oldest is None else max(0, now - oldest),
            "outbox_bytes": usage.used_bytes,
            "outbox_max_bytes": usage.max_bytes,
            "outbox_alarm": alarm,
            "dead_letters": self.outbox.dead_letters(),
            "uploaded": stats.uploaded,
            "confirmed": stats.confirmed,
            "upload_failures": stats.failures,
            "last_upload": stats.last_success,
            "last_error": stats.last_error,
            "last_health_push": self.last_health_push,
            "unknown_node_frames": self.processor.unknown_node_frames,
            "malformed_frames": self.processor.malformed_frames,
            "oversized_frames": self.processor.oversized_frames,
            "not_durable_batches": self.processor.not_durable_batches,
            "rules_version": self.rules.ruleset.version,
            "alerts": [a.as_json() for a in self.rules.alerts],
            "open_valves": self.rules.open_valves(),
            "nodes": {str(r["node_id"]): r for r in reports},
            "needs_visit": [
                {"node_id": v.node_id, "severity": v.severity, "reasons": [r.as_json() for r in v.reasons]}
                for v in visits
            ],
        }
        for name, fn in self.extra_health.items():
            try:
                doc[name] = fn()
            except Exception as exc:  # a transport's stats must not break the health file
                doc[name] = {"error": str(exc)}
        return doc

    def write_health(self) -> dict[str, Any]:
        doc = self.health()
        path = self.config.data_dir / "health.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False))
        tmp.replace(path)
        return doc

    def push_health(self) -> bool:
        """POST the fleet health to the server; best effort (it is rebuilt every time anyway)."""
        try:
            response = requests.post(
                self.config.server_url.rstrip("/") + "/api/v1/gateway/health",
                json=self.health(),
                headers={"Authorization": f"Bearer {self.config.token}"},
                timeout=10,
            )
            response.raise_for_status()
        except requests.RequestException as exc:
            log.info("event=health_push_failed error=%r", str(exc))
            return False
        self.last_health_push = time.time()
        return True

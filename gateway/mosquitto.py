"""Generate the local Mosquitto's config, password file and ACL from the registry's node list.

Each node gets its own credentials and may publish only to its own ``up`` and ``status`` topics
and read only its own ``cmd`` topics and the farm's firmware chunks (``fw/#``, the same bytes for
every node, checked against the manifest signed for it); the gateway user reads every node. Node
MQTT passwords are derived from the node key (HMAC), so provisioning a node needs no second secret.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterable
from pathlib import Path

from firmware.lib import nodeconfig
from firmware.lib.topics import mqtt_username


def node_mqtt_password(key: bytes) -> str:
    """The node's broker password, derived from its key exactly as the firmware derives it."""
    password: str = nodeconfig.mqtt_password(key)
    return password


def acl_text(gateway_user: str, node_ids: Iterable[int]) -> str:
    lines = [f"user {gateway_user}", "topic readwrite farm/#", ""]
    for node_id in sorted(node_ids):
        lines += [
            f"user {mqtt_username(node_id)}",
            f"topic write farm/+/node/{node_id}/up",
            f"topic read farm/+/node/{node_id}/cmd/#",
            f"topic write farm/+/node/{node_id}/status",
            "topic read farm/+/fw/#",
            "",
        ]
    return "\n".join(lines)


def broker_conf(
    conf_dir: Path, host: str, port: int, persistence_dir: Path | None = None, run_as: str | None = None
) -> str:
    lines = [f"user {run_as}"] if run_as else []  # started as root, mosquitto drops to this user
    lines += [
        f"listener {port} {host}",
        "allow_anonymous false",
        f"password_file {conf_dir / 'passwd'}",
        f"acl_file {conf_dir / 'acl'}",
        "log_dest stderr",
        "log_type error",
        "log_type warning",
        "log_type notice",
        "max_inflight_messages 100",
        # The default 1000 drops QoS 1 messages in bursts faster than the gateway drains them.
        "max_queued_messages 0",
    ]
    if persistence_dir is not None:
        lines += ["persistence true", f"persistence_location {persistence_dir}/"]
    else:
        lines.append("persistence false")
    return "\n".join(lines) + "\n"


def write_credentials(
    conf_dir: Path,
    gateway_user: str,
    gateway_password: str,
    nodes: dict[int, bytes],
    run_as: str | None = None,
) -> None:
    """Write passwd (hashed with mosquitto_passwd) and acl: what changes when node keys change."""
    if shutil.which("mosquitto_passwd") is None:
        raise RuntimeError("mosquitto_passwd not found: install Debian's 'mosquitto' package")
    conf_dir.mkdir(parents=True, exist_ok=True)
    # Each file is written beside its final name, then renamed: a broker reloading on SIGHUP at
    # any moment reads either the old or the new file, never a half-written one.
    passwd_tmp = conf_dir / "passwd.tmp"
    entries = [f"{gateway_user}:{gateway_password}"]
    entries += [f"{mqtt_username(n)}:{node_mqtt_password(k)}" for n, k in sorted(nodes.items())]
    passwd_tmp.write_text("\n".join(entries) + "\n")
    # 0640: the broker reads it through the directory's group (setgid ``ruongso:mosquitto``,
    # see deploy/gateway) when the gateway and the broker run as different users.
    passwd_tmp.chmod(0o640)
    subprocess.run(["mosquitto_passwd", "-U", str(passwd_tmp)], check=True, capture_output=True)
    if run_as and run_as != "root":
        # The broker reads it after dropping privileges; not root or no such user: the unit's
        # own user then owns and reads it.
        with contextlib.suppress(PermissionError, LookupError):
            shutil.chown(passwd_tmp, user=run_as)
    os.replace(passwd_tmp, conf_dir / "passwd")
    acl_tmp = conf_dir / "acl.tmp"
    acl_tmp.write_text(acl_text(gateway_user, nodes))
    os.replace(acl_tmp, conf_dir / "acl")


def write_broker_files(
    conf_dir: Path,
    host: str,
    port: int,
    gateway_user: str,
    gateway_password: str,
    nodes: dict[int, bytes],
    persistence_dir: Path | None = None,
    run_as: str | None = None,
) -> Path:
    """Write mosquitto.conf, passwd and acl; return the conf path."""
    write_credentials(conf_dir, gateway_user, gateway_password, nodes, run_as)
    conf = conf_dir / "mosquitto.conf"
    conf.write_text(broker_conf(conf_dir, host, port, persistence_dir, run_as))
    return conf


def reload_broker(pid: int) -> None:
    """Ask a running Mosquitto to re-read its password file and ACL (SIGHUP; no client drops).

    Mosquitto 2 reloads ``password_file`` and ``acl_file`` on SIGHUP: a new node can connect at
    once; connected clients stay connected (a removed node is refused at its next connect).
    """
    os.kill(pid, signal.SIGHUP)


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None

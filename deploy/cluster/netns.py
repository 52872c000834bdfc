"""Hosts as Linux network namespaces on one private bridge (issue 19: beyond one machine).

Each host is a namespace with its own loopback and one veth leg on a bridge the harness creates in
the root namespace; the root namespace gets the bridge's address so the harness can reach every
host. There is no default route and no NAT, so no packet can leave the machine. ``Net.close``
removes the namespaces and the bridge (deleting a namespace deletes its veth pair).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


def unavailable() -> str | None:
    """Why this machine cannot host the harness (None when it can)."""
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add)"
    if shutil.which("ip") is None:
        return "iproute2 (the ip command) is not installed"
    if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists():
        return "haproxy is not installed (scripts/setup-env.sh installs it as root)"
    probe = f"rs-probe-{secrets.token_hex(2)}"
    try:
        _ip("netns", "add", probe)
        _ip("netns", "del", probe)
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"cannot create a network namespace: {exc}"
    return None


@dataclass
class Host:
    name: str
    netns: str
    address: str
    veth: str  # the leg in the root namespace, on the bridge

    def argv(self, args: Sequence[str], user: str | None = None) -> list[str]:
        """The command line that runs ``args`` inside this host (as ``user`` when given)."""
        prefix = ["ip", "netns", "exec", self.netns]
        if user:  # setpriv execs in place: the pid we hold is the program's, so kill -9 hits it
            prefix += ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--"]
        return prefix + list(args)

    def popen(
        self, args: Sequence[str], log: Path, user: str | None = None, **kw: Any
    ) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            return subprocess.Popen(
                self.argv(args, user), stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kw
            )

    def run(
        self, args: Sequence[str], user: str | None = None, **kw: Any
    ) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(self.argv(args, user), check=True, capture_output=True, **kw)

    def link(self, up: bool) -> None:
        """Cut this host off the network (or plug it back), as a failed uplink would."""
        _ip("netns", "exec", self.netns, "ip", "link", "set", "eth0", "up" if up else "down")


@dataclass
class Net:
    """A bridge ``10.231.<n>.0/24`` with the root namespace at ``.1``; hosts from ``.10`` up."""

    run_id: str = field(default_factory=lambda: secrets.token_hex(2))
    hosts: dict[str, Host] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.bridge = f"rsb-{self.run_id}"
        self.prefix = f"10.231.{int(self.run_id, 16) % 250 + 1}"
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.prefix}.1/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")

    @property
    def gateway_address(self) -> str:
        return f"{self.prefix}.1"

    def add(self, name: str) -> Host:
        n = len(self.hosts) + 10
        host = Host(name, f"rs-{self.run_id}-{name}", f"{self.prefix}.{n}", f"rsv-{self.run_id}-{n}")
        peer = f"rsp-{self.run_id}-{n}"
        _ip("netns", "add", host.netns)
        _ip("link", "add", host.veth, "type", "veth", "peer", "name", peer)
        _ip("link", "set", host.veth, "master", self.bridge)
        _ip("link", "set", host.veth, "up")
        _ip("link", "set", peer, "netns", host.netns)
        ns = ("netns", "exec", host.netns, "ip")
        _ip(*ns, "link", "set", peer, "name", "eth0")
        _ip(*ns, "addr", "add", f"{host.address}/24", "dev", "eth0")
        _ip(*ns, "link", "set", "eth0", "up")
        _ip(*ns, "link", "set", "lo", "up")
        self.hosts[name] = host
        return host

    def close(self) -> None:
        for host in self.hosts.values():
            subprocess.run(["ip", "netns", "del", host.netns], capture_output=True)
        self.hosts.clear()
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)

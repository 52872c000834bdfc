"""What every benchmark needs: a one-line description of the machine, timed samples, percentiles,
and the CPU-seconds a phase cost beside its wall-clock time.

from bench.timing import Meter, describe_machine, percentile, spread, time_ms

samples = time_ms(lambda: work(), runs=30)           # sorted, in milliseconds
print(f"machine: {describe_machine()}")
print(f"p50 {percentile(samples, 50):.1f} ms, p95 {percentile(samples, 95):.1f} ms")
with Meter(server.pid) as m:                          # this process + the server's process tree
    send(frames)
print(f"{m.wall_s:.1f} s wall, {m.cpu_s:.1f} CPU-s: {m.per_wall(len(frames)):,.0f}/s, "
      f"{m.per_cpu(len(frames)):,.0f} per CPU-second")

Why both: the build machine is shared, and wall time there measures the neighbours as much as the
code (a ratio against a floor measured by wall-clock moves by tens of percent with the load);
CPU-seconds of the processes doing the work move far less with it.
"""

from __future__ import annotations

import math
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType


def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo (x86), else what ``platform`` knows (ARM, macOS)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "?"


def describe_machine() -> str:
    """One line for a benchmark's output, e.g. ``8 CPUs (AMD EPYC 7B13), Python 3.12.3``."""
    return f"{os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}"


def cpu_s() -> float:
    """CPU-seconds used so far by this process and its waited-for children (servers it started and
    stopped): printed beside wall-clock, since on a shared machine wall time measures the neighbours."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def tree_cpu_s(root_pid: int) -> float:
    """CPU-seconds so far of a running process and its direct children (gunicorn's master and
    workers), from /proc: the server's own cost of a phase, whatever else the machine runs."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if root_pid in (pid, ppid):
            total += int(fields[11]) + int(fields[12])  # utime, stime (proc(5) fields 14, 15)
    return total / tick


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages, printed with every result (a shared machine)."""
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


class Meter:
    """Wall-clock and CPU-seconds of a phase: this process, children it reaped during the phase,
    and the live process trees of ``pids`` (servers it started: gunicorn, influxd), from /proc.

    A child started before the phase and reaped inside it would be counted twice (once live, once
    reaped); the benchmarks stop their servers after the measured phase, never during it.
    """

    def __init__(self, *pids: int) -> None:
        self.pids = pids
        self.wall_s = 0.0
        self.cpu_s = 0.0
        self._t0 = self._c0 = 0.0

    def _cpu(self) -> float:
        return cpu_s() + sum(tree_cpu_s(pid) for pid in self.pids)

    def __enter__(self) -> Meter:
        self._t0, self._c0 = time.perf_counter(), self._cpu()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.wall_s = time.perf_counter() - self._t0
        self.cpu_s = self._cpu() - self._c0

    def per_wall(self, items: float) -> float:
        """Items per wall-clock second."""
        return items / max(self.wall_s, 1e-9)

    def per_cpu(self, items: float) -> float:
        """Items per CPU-second of the processes measured."""
        return items / max(self.cpu_s, 1e-9)


def spread(values: Iterable[float], fmt: str = ",.0f") -> str:
    """``min / median / max`` of several runs: the range is the result on a shared machine."""
    v: Sequence[float] = sorted(values)
    if not v:
        raise ValueError("spread of no values")
    return f"{v[0]:{fmt}} / {statistics.median(v):{fmt}} / {v[-1]:{fmt}}"


def time_ms(fn: Callable[[], object], runs: int, warmup: int = 1) -> list[float]:
    """Call ``fn`` ``warmup`` times untimed, then ``runs`` times; the wall times in ms, sorted."""
    if runs < 1:
        raise ValueError("runs must be >= 1")
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return samples


def percentile(sorted_samples: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of already sorted samples, interpolating linearly between the
    two nearest ranks (numpy's default); ``percentile(s, 50)`` equals ``statistics.median(s)``."""
    if not sorted_samples:
        raise ValueError("percentile of no samples")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within 0..100, not {q}")
    pos = (len(sorted_samples) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_samples) - 1)
    return sorted_samples[lo] + (sorted_samples[hi] - sorted_samples[lo]) * (pos - lo)

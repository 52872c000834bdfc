"""Temporary data of one benchmark run, removed when the run ends, however it ends.

A benchmark that starts InfluxDB, PostgreSQL or the app writes hundreds of MB (one pass once left
≈ 776 MB in the system temp directory). ``Scratch`` removes its directory on a normal end, an
exception, Ctrl-C and SIGTERM (turned into ``SystemExit`` so ``finally`` blocks run, among them
the services' ``stop``, which removes PostgreSQL's own directory: ``tests/services.py``):

    with Scratch("bench-ingest-") as tmp:
        influxd = start_influxd(tmp.path / "influx")
        ...
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import threading
from pathlib import Path
from types import FrameType, TracebackType


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # the shell's exit status for a signal; unwinds through finally


class Scratch:
    """A fresh directory under the temp directory (``TMPDIR``), gone when the ``with`` block ends."""

    def __init__(self, prefix: str) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        self._previous: object = None
        self.keep = False  # set by a caller that must leave evidence behind (a fuzzer's crash input)

    def __enter__(self) -> Scratch:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)  # type: ignore[arg-type]
        if self.keep:
            return
        shutil.rmtree(self.path, ignore_errors=True)
